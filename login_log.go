package flexroles

import (
	"log/slog"
	"slices"
)

// redacted stands for a value LogValue leaves out.
const redacted = "[redacted]"

// LogValue implements slog.LogValuer, so that a Login can be logged as it
// is: the source, the Console roles, and each attribute by name with its
// values, in name order, except that the identity, email and full name are
// replaced by "[redacted]". Attributes that stand for email or full_name
// under another name (a namespaced claim such as Entra ID's emailaddress,
// or "Email") are redacted too.
func (l Login) LogValue() slog.Value {
	out := make([]slog.Attr, 0, 4)
	out = append(out, slog.String("source", string(l.Source)))
	if len(l.ConsoleRoles) > 0 {
		roles := make([]string, len(l.ConsoleRoles))
		for i, c := range l.ConsoleRoles {
			roles[i] = string(c)
		}
		out = append(out, slog.Any("console_roles", roles))
	}
	if l.Identity != "" {
		out = append(out, slog.String("identity", redacted))
	}
	if len(l.Attributes) > 0 {
		names := make([]string, 0, len(l.Attributes))
		for name := range l.Attributes {
			names = append(names, name)
		}
		slices.Sort(names)
		attrs := make([]slog.Attr, len(names))
		for i, name := range names {
			switch claimFor(name) {
			case attrEmail, attrFullName:
				attrs[i] = slog.String(name, redacted)
			default:
				attrs[i] = slog.Any(name, l.Attributes[name])
			}
		}
		out = append(out, slog.Attr{Key: "attributes", Value: slog.GroupValue(attrs...)})
	}
	return slog.GroupValue(out...)
}
