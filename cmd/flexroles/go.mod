module github.com/flexroles/flexroles/cmd/flexroles

go 1.25.0

require (
	github.com/beevik/etree v1.8.1
	github.com/flexroles/flexroles v0.0.0-20261206234603-072e9c328307
	github.com/flexroles/flexroles/sso v0.0.0-20261206234603-072e9c328307
	github.com/russellhaering/goxmldsig v1.6.1
	github.com/stretchr/testify v1.12.1
	github.com/twilio/twilio-go v1.31.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/crewjam/saml v0.6.3 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/golang/mock v1.6.0 // indirect
	github.com/jonboulle/clockwork v0.5.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/redis/go-redis/v9 v9.22.0 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
