module github.com/flexroles/flexroles/examples

go 1.25.0

require (
	github.com/beevik/etree v1.8.1
	github.com/crewjam/saml v0.6.3
	github.com/flexroles/flexroles v0.0.0-20261206234603-072e9c328307
)

require (
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/jonboulle/clockwork v0.5.0 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/russellhaering/goxmldsig v1.6.1 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
