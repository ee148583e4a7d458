// Package amend applies PingOne user updates exactly as PingOne defines
// them. The library is package user (with policy, schema and patch); package
// conformance runs the conformance suite against any implementation; package
// server is a PingOne users API over HTTP; package fuzz holds generators and
// laws for testing update code. This package holds the suite itself.
package amend

import "embed"

// Suite holds amend's own conformance suite, the case files of
// testdata/conformance, for conformance.LoadFS:
//
//	cases, err := conformance.LoadFS(amend.Suite, "testdata/conformance")
//
//go:embed testdata/conformance
var Suite embed.FS
