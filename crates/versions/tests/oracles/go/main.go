// Go oracle: golang.org/x/mod/semver (Debian golang-golang-x-mod-dev, run
// in GOPATH mode with GOPATH=/usr/share/gocode). x/mod/semver needs the
// `v` prefix: a version without one gets it here, as palisade reads OSV's
// Go versions; toolchain tags (`go1.21.3`) are not x/mod/semver versions
// and are answered invalid (0) so they are counted, not compared.
// Protocol (see tests/common/mod.rs): `v\tVERSION` -> 1/0, `c\tA\tB` -> -1/0/1/E.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func norm(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		parts := strings.Split(in.Text(), "\t")
		if parts[0] == "v" {
			if semver.IsValid(norm(parts[1])) {
				fmt.Fprintln(out, "1")
			} else {
				fmt.Fprintln(out, "0")
			}
			continue
		}
		a, b := norm(parts[1]), norm(parts[2])
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "E")
			continue
		}
		fmt.Fprintln(out, semver.Compare(a, b))
	}
}
