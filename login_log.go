package flexroles

import (
	"log/slog"
	"slices"
	"strconv"
)

// LogValue implements slog.LogValuer, so that a Login can be logged as it
// is without personal data: the source, the Console roles, the values of the
// roles attribute, and every other attribute by name with only the number
// of its values. Any attribute may hold an email, a name or a group named
// after a person under a name no list can foresee (an OID, "upn",
// memberOf), so none but roles shows its values; the identity shows only
// whether it is set.
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
		out = append(out, slog.String("identity", "[redacted]"))
	}
	if len(l.Attributes) > 0 {
		names := make([]string, 0, len(l.Attributes))
		for name := range l.Attributes {
			names = append(names, name)
		}
		slices.Sort(names)
		attrs := make([]slog.Attr, len(names))
		for i, name := range names {
			values := l.Attributes[name]
			if name == attrRoles {
				attrs[i] = slog.Any(name, values)
			} else {
				attrs[i] = slog.String(name, "[redacted: "+strconv.Itoa(len(values))+" values]")
			}
		}
		out = append(out, slog.Attr{Key: "attributes", Value: slog.GroupValue(attrs...)})
	}
	return slog.GroupValue(out...)
}
