package schema_test

import (
	"fmt"

	"github.com/amendlib/amend/schema"
)

// ParseAttributes reads PingOne's schema attribute listing as PingOne
// returns it; members amend does not use are ignored.
func ExampleParseAttributes() {
	listing := []byte(`{"_embedded":{"attributes":[
	  {"id":"a1","name":"tShirt","type":"STRING","schemaType":"CUSTOM","multiValued":false,
	   "enumeratedValues":[{"value":"S"},{"value":"XL","archived":true}],"_links":{"self":{"href":"..."}}},
	  {"id":"a2","name":"nickname","schemaType":"STANDARD","enabled":false}]}}`)
	attrs, err := schema.ParseAttributes(listing)
	if err != nil {
		panic(err)
	}
	for _, a := range attrs {
		fmt.Println(a.Name, a.SchemaType, a.IsEnabled(), len(a.EnumeratedValues))
	}
	// Output:
	// tShirt CUSTOM true 2
	// nickname STANDARD false 0
}

// The format checks of the standard attributes (rule V2).
func ExampleIsTimeZone() {
	for _, s := range []string{"America/Argentina/Buenos_Aires", "UTC", "Mars/Base", "Local"} {
		fmt.Println(s, schema.IsTimeZone(s))
	}
	// Output:
	// America/Argentina/Buenos_Aires true
	// UTC true
	// Mars/Base false
	// Local false
}

func ExampleIsLanguageTag() {
	for _, s := range []string{"en-GB", "zh-Hant-TW", "en_US"} {
		fmt.Println(s, schema.IsLanguageTag(s))
	}
	// Output:
	// en-GB true
	// zh-Hant-TW true
	// en_US false
}

func ExampleIsEmail() {
	for _, s := range []string{"joe@example.com", "josé@exämple.com", "Joe <joe@example.com>"} {
		fmt.Println(s, schema.IsEmail(s))
	}
	// Output:
	// joe@example.com true
	// josé@exämple.com true
	// Joe <joe@example.com> false
}
