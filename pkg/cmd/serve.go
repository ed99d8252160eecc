package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

func newSimulatorServeCommand(streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{Use: "serve", Hidden: true, RunE: func(*cobra.Command, []string) error {
		return backend.Errorf(backend.KindInternal, "not yet")
	}}
}

func newAliyunBackend(o *clusterOptions) (backend.Backend, error) {
	return nil, backend.Errorf(backend.KindInternal, "not yet")
}
