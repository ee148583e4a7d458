module github.com/amendlib/amend

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
)

require github.com/evanphx/json-patch/v5 v5.9.11

require pgregory.net/rapid v1.3.0
