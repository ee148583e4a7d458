// Package apicheck holds the test that keeps amend's exported API honest
// (DESIGN.md): no exported identifier of a public package mentions a type
// from an internal package, so everything exported can be used from outside
// the module.
package apicheck

import (
	"go/importer"
	"go/token"
	"go/types"
	"os/exec"
	"strings"
	"testing"
)

// publicPackages lists the module's packages outside internal/ and cmd/.
func publicPackages(t *testing.T) []string {
	out, err := exec.Command("go", "list", "github.com/amendlib/amend/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		if !strings.Contains(p, "/internal/") && !strings.HasSuffix(p, "/internal") && !strings.Contains(p, "/cmd/") {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

// TestNoInternalTypesExported type-checks every public package from source
// and walks each exported identifier: its type, the fields of exported
// struct types, the methods of exported types and every signature, and
// fails on any named type declared in an internal package.
func TestNoInternalTypesExported(t *testing.T) {
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	pkgs := publicPackages(t)
	if len(pkgs) < 4 {
		t.Fatalf("found only %v", pkgs)
	}
	for _, path := range pkgs {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		w := walker{t: t, seen: map[types.Type]bool{}}
		for _, name := range pkg.Scope().Names() {
			obj := pkg.Scope().Lookup(name)
			if !obj.Exported() {
				continue
			}
			w.where = path + "." + name
			w.typ(obj.Type())
			if named, ok := obj.Type().(*types.Named); ok && obj.Type() != nil {
				if _, isType := obj.(*types.TypeName); isType {
					for i := range named.NumMethods() {
						m := named.Method(i)
						if m.Exported() {
							w.where = path + "." + name + "." + m.Name()
							w.typ(m.Type())
						}
					}
				}
			}
		}
	}
}

type walker struct {
	t     *testing.T
	where string
	seen  map[types.Type]bool
}

func (w *walker) typ(t types.Type) {
	if t == nil || w.seen[t] {
		return
	}
	w.seen[t] = true
	switch t := t.(type) {
	case *types.Alias:
		w.typ(types.Unalias(t))
	case *types.Named:
		if pkg := t.Obj().Pkg(); pkg != nil && strings.Contains(pkg.Path(), "/internal/") {
			w.t.Errorf("%s mentions %s.%s, a type of an internal package", w.where, pkg.Path(), t.Obj().Name())
			return
		}
		if pkg := t.Obj().Pkg(); pkg != nil && strings.HasPrefix(pkg.Path(), "github.com/amendlib/amend") {
			w.typ(t.Underlying())
		}
	case *types.Pointer:
		w.typ(t.Elem())
	case *types.Slice:
		w.typ(t.Elem())
	case *types.Array:
		w.typ(t.Elem())
	case *types.Map:
		w.typ(t.Key())
		w.typ(t.Elem())
	case *types.Chan:
		w.typ(t.Elem())
	case *types.Signature:
		for i := range t.Params().Len() {
			w.typ(t.Params().At(i).Type())
		}
		for i := range t.Results().Len() {
			w.typ(t.Results().At(i).Type())
		}
	case *types.Struct:
		for i := range t.NumFields() {
			if f := t.Field(i); f.Exported() || f.Embedded() {
				w.typ(f.Type())
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			w.typ(t.Method(i).Type())
		}
	}
}
