package main

import "flag"

const schemaUsage = `Usage: amend schema [--env FILE] [--compact]

Prints the JSON Schema (draft 2020-12) of an environment's user document:
attributes a body cannot set are "readOnly", required ones are listed under
"required", multi-valued ones carry "maxItems".
`

func schemaFlags(fs *flag.FlagSet) func([]string, stdio) (int, error) {
	envPath := fs.String("env", "", "the environment, a JSON `file` holding the environment object of the conformance case format\n(default: the standard PingOne user schema)")
	compact := fs.Bool("compact", false, "print JSON on one line instead of indented")
	return func(args []string, std stdio) (int, error) {
		if err := noArgs(args); err != nil {
			return 0, err
		}
		cfg, err := readConfig(*envPath)
		if err != nil {
			return 0, err
		}
		env, err := buildEnvironment(*envPath, cfg)
		if err != nil {
			return 0, err
		}
		writeJSON(std.out, env.JSONSchema(), *compact)
		return exitOK, nil
	}
}
