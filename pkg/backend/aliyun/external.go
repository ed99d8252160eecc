package aliyun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// externalProvider runs an External profile's process_command and reads the
// credential it prints, as the aliyun CLI does. Hand-written rather than
// credentials-go's ExternalCredentialsProvider: that one prints the
// command's output to stdout when it is not JSON (a secret on our result
// stream), and with its update callback rewrites the CLI config.
type externalProvider struct {
	profile string
	argv    []string
}

func newExternalProvider(profile, command string) (providers.CredentialsProvider, error) {
	argv, err := splitCommand(command)
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode External): process_command %v", profile, err).
			WithHint("Fix it with `aliyun configure --profile %s --mode External`.", profile)
	}
	return &externalProvider{profile: profile, argv: argv}, nil
}

// externalOutput is what the command prints (the aliyun CLI's format).
type externalOutput struct {
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
}

func (e *externalProvider) GetCredentials() (*providers.Credentials, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.argv[0], e.argv[1:]...)
	// Neither its output nor its error output is kept: either may hold a
	// secret (docs/credentials.md promises it is never printed).
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("its process_command %s failed (%v); its output is never printed (it may hold secrets): run the command yourself to see why", e.argv[0], err)
	}
	var out externalOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		// Never quote the output: it is meant to hold a secret.
		return nil, fmt.Errorf("its process_command %s printed no JSON credential (%s)", e.argv[0], jsonProblem(stdout.Bytes(), err))
	}
	if out.AccessKeyID == "" || out.AccessKeySecret == "" {
		return nil, fmt.Errorf("its process_command %s printed no access_key_id or access_key_secret", e.argv[0])
	}
	if out.Mode == "StsToken" && out.StsToken == "" {
		return nil, fmt.Errorf("its process_command %s printed mode StsToken without sts_token", e.argv[0])
	}
	return &providers.Credentials{AccessKeyId: out.AccessKeyID, AccessKeySecret: out.AccessKeySecret,
		SecurityToken: out.StsToken, ProviderName: "external"}, nil
}

func (e *externalProvider) GetProviderName() string { return "external" }

// splitCommand splits a command line into words: blanks separate them,
// single and double quotes group, a backslash escapes the next character
// outside single quotes (POSIX shell words, without expansions).
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote, escaped := false, rune(0), false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("has an unclosed quote or a trailing backslash")
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("is empty")
	}
	return words, nil
}
