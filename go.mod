module github.com/flexroles/flexroles

go 1.22
