// Command openbao is a thin wrapper that builds OpenBao (Vault's open-source
// fork, same HTTP API) from the Go module proxy so the tests and the demo run a
// real Vault server. It adds nothing: it calls OpenBao's own CLI entry point.
package main

import (
	"os"

	"github.com/openbao/openbao/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:]))
}
