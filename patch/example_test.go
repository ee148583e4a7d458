package patch_test

import (
	"errors"
	"fmt"

	"github.com/amendlib/amend/patch"
)

// RFC 7396's own example: members merge, null deletes, arrays replace.
func ExampleMergePatch() {
	target := []byte(`{"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"This will be unchanged"}`)
	p := []byte(`{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}`)
	out, err := patch.MergePatch(target, p)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}
}

// Numbers keep their exact text: no float64 round trip.
func ExampleMergePatch_numbers() {
	out, _ := patch.MergePatch([]byte(`{"id":12345678901234567890,"ratio":1.0}`), []byte(`{"ratio":2.50}`))
	fmt.Println(string(out))
	// Output:
	// {"id":12345678901234567890,"ratio":2.50}
}

// Duplicate member names are refused: JSON parsers disagree on which wins.
func ExampleMergePatch_error() {
	_, err := patch.MergePatch([]byte(`{}`), []byte(`{"a":1,"a":2}`))
	var perr *patch.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Input, perr.Offset, perr.Reason)
	}
	// Output:
	// patch 7 duplicate member "a"
}
