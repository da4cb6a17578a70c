package bridge

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
)

// validate checks v against a JSON Schema that uses only the keywords
// below, and fails on any other keyword so that the schema cannot grow past
// what this test checks.
func validate(schema map[string]any, v any, at string) error {
	for k := range schema {
		switch k {
		case "$schema", "$id", "title", "description", "type", "required", "properties", "additionalProperties", "items", "enum", "pattern", "format":
		default:
			return fmt.Errorf("%s: the schema uses %q, which this validator does not check", at, k)
		}
	}
	if t, ok := schema["type"].(string); ok {
		if !hasType(v, t) {
			return fmt.Errorf("%s: %v is not of type %s", at, v, t)
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
	}
	if p, ok := schema["pattern"].(string); ok {
		if s, _ := v.(string); !regexp.MustCompile(p).MatchString(s) {
			return fmt.Errorf("%s: %q does not match %s", at, s, p)
		}
	}
	if f, ok := schema["format"].(string); ok && f == "date-time" {
		if _, err := time.Parse(time.RFC3339Nano, v.(string)); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q is missing", at, r)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := props[k].(map[string]any)
			if !ok {
				extra, _ := schema["additionalProperties"].(map[string]any)
				if extra == nil {
					return fmt.Errorf("%s: %q is not in the schema", at, k)
				}
				sub = extra
			}
			if err := validate(sub, x[k], at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for i, e := range x {
			if err := validate(items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}
