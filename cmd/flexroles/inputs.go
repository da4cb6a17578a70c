package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
)

// stdinArg is the path argument that stands for standard input, for every
// path argument of every command; messages name it stdinName.
const (
	stdinArg  = "-"
	stdinName = "stdin"
)

// pathArg is one path argument of a command line: what names it in
// messages ("--users", "OLD") and the path given.
type pathArg struct {
	what, path string
}

// oneStdin returns the message of the usage error when more than one of a
// command's path arguments args is "-": standard input can be read once.
// It returns "" otherwise.
func oneStdin(command string, args ...pathArg) string {
	var takers []string
	for _, a := range args {
		if a.path == stdinArg {
			takers = append(takers, a.what)
		}
	}
	if len(takers) < 2 {
		return ""
	}
	both := "both"
	if len(takers) > 2 {
		both = "all"
	}
	list := strings.Join(takers[:len(takers)-1], ", ") + " and " + takers[len(takers)-1]
	return fmt.Sprintf("%s: %s %s read standard input (\"-\"), which can be read once: give all but one as files", command, list, both)
}

// openInput returns the input a command reads: the file named arg, or
// standard input when arg is "" or "-", with the name to print in messages
// and a function that closes it.
func openInput(arg string, stdin io.Reader) (io.Reader, string, func(), error) {
	if arg == "" || arg == stdinArg {
		return stdin, stdinName, func() {}, nil
	}
	f, err := os.Open(arg) //nolint:gosec // G304: reading the file the user named is the command's job
	if err != nil {
		return nil, "", nil, err
	}
	return f, arg, func() { _ = f.Close() }, nil
}

// readArg returns the whole input named path, standard input when it is
// "-", at most limit bytes: a longer input is an error, which names the
// input as path or "stdin".
func readArg(path string, stdin io.Reader, limit int64) ([]byte, error) {
	r, name, closeInput, err := openInput(path, stdin)
	if err != nil {
		return nil, err
	}
	defer closeInput()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than the limit of %d bytes", name, limit)
	}
	return data, nil
}

// loadPolicyArg loads the policy a command is given: the file at path, or
// standard input when path is "-". It returns the name messages give the
// policy: path, or "stdin".
func loadPolicyArg(path string, stdin io.Reader) (*flexroles.Policy, string, error) {
	if path != stdinArg {
		p, err := flexroles.LoadPolicyFile(path)
		return p, path, err
	}
	p, err := flexroles.LoadPolicy(stdin)
	var pe *flexroles.PolicyError
	if errors.As(err, &pe) {
		pe.File = stdinName
	}
	return p, stdinName, err
}

// sourceName is how messages and reports name the input src: "stdin" for
// "-", else src.
func sourceName(src string) string {
	if src == stdinArg {
		return stdinName
	}
	return src
}

// openUsers opens the IdP export a command is given: the file at path, or
// standard input when path is "-", named "stdin" in messages.
func openUsers(path string, stdin io.Reader) (*export.File, error) {
	if path == stdinArg {
		return export.NewFile(stdinName, stdin), nil
	}
	return export.Open(path)
}
