//go:build project

// The library under test: github.com/flexroles/flexroles, Twilio's rules
// alone (flexroles.Resolve), adapted to the harness types.
package peers

import (
	"sync"
	"unsafe"

	lib "github.com/flexroles/flexroles"
)

func init() {
	projectInit()
	Engines = append(Engines, Engine{Name: "project", Resolve: ResolveProject, AnyOrder: true})
}

// projectInit has nothing to load: flexroles.Resolve needs no policy.
func projectInit() {}

// ssoInput is the attribute map the adapter builds and the one-value
// slices it points at, recycled so that the glue does not allocate.
type ssoInput struct {
	attrs           map[string][]string
	email, fullName [1]string
}

var ssoInputs = sync.Pool{New: func() any { return &ssoInput{attrs: make(map[string][]string, 4)} }}

// set fills in the attributes of l: it overwrites the value of each
// attribute l has and deletes the others, so a recycled map needs no
// clearing.
func (in *ssoInput) set(l *Login) map[string][]string {
	if l.Email != "" {
		in.email[0] = l.Email
		in.attrs["email"] = in.email[:]
	} else {
		delete(in.attrs, "email")
	}
	if l.FullName != "" {
		in.fullName[0] = l.FullName
		in.attrs["full_name"] = in.fullName[:]
	} else {
		delete(in.attrs, "full_name")
	}
	if len(l.Roles) > 0 {
		in.attrs["roles"] = l.Roles
	} else {
		delete(in.attrs, "roles")
	}
	return in.attrs
}

// projectConsoleRoles maps the harness's Console role names to flexroles'
// as one-element slices, so that building a Console login does not
// allocate.
var projectConsoleRoles = map[string][]lib.ConsoleRole{
	"owner":           {lib.Owner},
	"administrator":   {lib.Administrator},
	"developer":       {lib.Developer},
	"billing_manager": {lib.BillingManager},
	"support":         {lib.Support},
}

// ResolveProject adapts flexroles.Resolve to the harness signature.
func ResolveProject(l *Login) (Result, error) {
	var login lib.Login
	var in *ssoInput
	switch l.Source {
	case SourceConsole:
		// The harness's Console role names are exact; flexroles reads
		// Console role names ignoring case and separators, so a name
		// outside the harness's five is refused here.
		rs, ok := projectConsoleRoles[l.ConsoleRole]
		if !ok {
			return Result{}, ErrUnknownConsoleRole
		}
		login.Source, login.ConsoleRoles = lib.Console, rs
	case SourceSSO:
		// The harness's job refuses an empty role value (after a missing
		// attribute); flexroles drops empty items as Flex's comma
		// splitting does, so say it here.
		if l.Email != "" && l.FullName != "" {
			for _, r := range l.Roles {
				if r == "" {
					return Result{}, ErrInvalidRole
				}
			}
		}
		in = ssoInputs.Get().(*ssoInput)
		login.Source, login.Attributes = lib.SSO, in.set(l)
	}
	d, err := lib.Resolve(login)
	if in != nil {
		ssoInputs.Put(in)
	}
	if err != nil {
		return Result{}, projectError(l, err)
	}
	// Role is a string type: the roles slice is handed over as []string
	// without copying, and Resolve returns a fresh one every call.
	return Result{
		Roles:          *(*[]string)(unsafe.Pointer(&d.Roles)),
		InsightsAccess: d.Has(lib.Admin) || d.Has(lib.Supervisor),
	}, nil
}

// projectError maps flexroles' error kinds to the harness's sentinels.
// Resolve returns its *Error unwrapped, so a type assertion reads the kind
// without walking a chain for each sentinel.
func projectError(l *Login, err error) error {
	e, ok := err.(*lib.Error)
	if !ok {
		return err
	}
	switch e.Kind {
	case lib.ErrMissingAttribute:
		// 45050 covers both an absent attribute and roles without a Flex
		// role; the harness tells them apart.
		if l.Email != "" && l.FullName != "" && len(l.Roles) > 0 {
			return ErrNoBaseRole
		}
		return ErrMissingAttribute
	case lib.ErrUnknownRole:
		if l.Source == SourceConsole {
			return ErrUnknownConsoleRole
		}
		return ErrInvalidRole
	case lib.ErrConsoleOnlyRole:
		return ErrInvalidRole
	case lib.ErrNoFlexAccess:
		return ErrNoFlexAccess
	case lib.ErrInvalidLogin:
		return ErrUnknownSource
	}
	return err
}
