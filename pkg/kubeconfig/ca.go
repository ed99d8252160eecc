package kubeconfig

import (
	"os"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// caPEM is the certificate authority of a cluster entry, as kubectl reads it:
// certificate-authority-data first, else the certificate-authority file
// (which clientcmd's loader has made absolute). nil when there is none or it
// cannot be read: the endpoint check then says that the certificate could not
// be verified.
func caPEM(c *clientcmdapi.Cluster) []byte {
	if c == nil {
		return nil
	}
	if len(c.CertificateAuthorityData) > 0 {
		return c.CertificateAuthorityData
	}
	if c.CertificateAuthority != "" {
		if b, err := os.ReadFile(c.CertificateAuthority); err == nil {
			return b
		}
	}
	return nil
}
