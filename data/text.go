package data

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// TextProblem says what is wrong with s as stored text: "contains a NUL
// character" or "is not valid UTF-8", or "" when s is fine. PostgreSQL
// refuses both while SQLite keeps them, so every input path rejects them
// before a store sees them, and the stores refuse them too (same answer).
func TextProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL character"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// CheckText walks v (a record, a pointer to one, or a slice or map of them)
// and returns an Invalid *Error naming the first string field whose text
// TextProblem rejects, in JSON spelling ("household.name", "item_ids[1]").
// It returns nil when every string is fine.
func CheckText(v any) error {
	return checkText(reflect.ValueOf(v), "", 0)
}

func checkText(v reflect.Value, path string, depth int) error {
	if depth > 32 || !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if msg := TextProblem(v.String()); msg != "" {
			return &Error{Kind: Invalid, Field: path, Message: msg}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(v.Elem(), path, depth+1)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes, not text
		}
		for i := range v.Len() {
			if err := checkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			if it.Key().Kind() == reflect.String {
				if msg := TextProblem(it.Key().String()); msg != "" {
					return &Error{Kind: Invalid, Field: path, Message: "a key " + msg}
				}
			}
			if err := checkText(it.Value(), joinField(path, k), depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			p := path
			if !f.Anonymous || name != "" {
				if name == "" {
					name = f.Name
				}
				p = joinField(path, name)
			}
			if err := checkText(v.Field(i), p, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
