package kubeconfig

import (
	"encoding/base64"
	"os"
)

// caPEM is the certificate authority of a cluster entry, as kubectl reads it:
// certificate-authority-data (base64 PEM) first, else the certificate-authority
// file. nil when there is none or it cannot be read: the endpoint check then
// says that the certificate could not be verified.
func caPEM(c *Cluster) []byte {
	if c == nil {
		return nil
	}
	if c.CertificateAuthorityData != "" {
		if b, err := base64.StdEncoding.DecodeString(c.CertificateAuthorityData); err == nil {
			return b
		}
		return nil
	}
	if c.CertificateAuthority != "" {
		if b, err := os.ReadFile(c.CertificateAuthority); err == nil {
			return b
		}
	}
	return nil
}
