package aliyun

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Environment variables of the SDK's default credential chain that the
// diagnosis reads.
const (
	envAccessKeyID     = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	envAccessKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	envProfile         = "ALIBABA_CLOUD_PROFILE"
	envCredentialsFile = "ALIBABA_CLOUD_CREDENTIALS_FILE"
	envCLIDisabled     = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
)

// cliModes are the aliyun CLI profile modes the SDK's CLI profile provider can use.
var cliModes = []string{"AK", "StsToken", "RamRoleArn", "EcsRamRole", "OIDC", "ChainableRamRoleArn"}

const credentialsHint = "Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, configure the aliyun CLI (`aliyun configure`, " +
	"ALIBABA_CLOUD_PROFILE picks a profile), use ~/.alibabacloud/credentials, RRSA (ALIBABA_CLOUD_ROLE_ARN, " +
	"ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), or run on ECS with a RAM role."

// credentialsError says why the SDK's default chain found no credentials: the
// real cause where one is visible (a half-set pair of variables, a CLI config
// that does not parse, an unknown ALIBABA_CLOUD_PROFILE, a profile mode the
// SDK cannot use), else that none were found. It never quotes the SDK's
// errors about files, which can contain the whole file, secrets included.
func credentialsError() error {
	var causes []string
	id, secret := os.Getenv(envAccessKeyID) != "", os.Getenv(envAccessKeySecret) != ""
	if id != secret {
		set, unset := envAccessKeyID, envAccessKeySecret
		if secret {
			set, unset = unset, set
		}
		causes = append(causes, fmt.Sprintf("%s is set but %s is not: set both", set, unset))
	}
	home, _ := os.UserHomeDir()
	want := os.Getenv(envProfile)
	var cliNames, iniNames []string
	cliPath := filepath.Join(home, ".aliyun", "config.json")
	cliFound := false
	if !strings.EqualFold(os.Getenv(envCLIDisabled), "true") {
		names, cause, found := diagnoseCLIConfig(cliPath, want)
		cliNames, cliFound = names, found
		if cause != "" {
			causes = append(causes, cause)
		}
	}
	iniPath := os.Getenv(envCredentialsFile)
	if iniPath == "" {
		iniPath = filepath.Join(home, ".alibabacloud", "credentials")
	}
	iniNames, iniCause := diagnoseCredentialsFile(iniPath)
	if iniCause != "" {
		causes = append(causes, iniCause)
	}
	if want != "" && !cliFound && !slices.Contains(iniNames, want) {
		causes = append(causes, fmt.Sprintf("%s=%q names no profile: %s", envProfile, want, describeProfiles(cliPath, cliNames, iniPath, iniNames)))
	}
	if len(causes) == 0 {
		return errdefs.Errorf(errdefs.KindInvalid, "no Alibaba Cloud credentials found").WithHint("%s", credentialsHint)
	}
	return errdefs.Errorf(errdefs.KindInvalid, "no usable Alibaba Cloud credentials: %s", strings.Join(causes, "; ")).WithHint("%s", credentialsHint)
}

// diagnoseCLIConfig reads the aliyun CLI's config: its profile names, what is
// wrong with the profile the SDK would use (want, else the current one), and
// whether a profile named want exists.
func diagnoseCLIConfig(path, want string) (names []string, cause string, found bool) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", false
	}
	if err != nil {
		return nil, fmt.Sprintf("cannot read the aliyun CLI config %s: %v", path, errors.Unwrap(err)), false
	}
	var cfg struct {
		Current  string `json:"current"`
		Profiles []struct {
			Name string `json:"name"`
			Mode string `json:"mode"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Sprintf("the aliyun CLI config %s does not parse: %s", path, jsonProblem(b, err)), false
	}
	name := want
	if name == "" {
		name = cfg.Current
	}
	for _, p := range cfg.Profiles {
		names = append(names, p.Name)
	}
	if len(cfg.Profiles) == 0 {
		return names, "", false
	}
	for _, p := range cfg.Profiles {
		if p.Name != name {
			continue
		}
		if !slices.Contains(cliModes, p.Mode) {
			return names, fmt.Sprintf("profile %q of %s has mode %q, which the Alibaba Cloud SDK cannot use (it can use %s): reconfigure it with `aliyun configure --profile %s --mode AK`, or pick another profile with %s",
				p.Name, path, p.Mode, strings.Join(cliModes, ", "), p.Name, envProfile), true
		}
		// The profile is usable in form: its own provider says what failed
		// (an empty key, a role it could not assume). These errors name no secret.
		if _, err := credentials.NewCLIProfileCredentialsProviderBuilder().WithProfileName(p.Name).Build().GetCredentials(); err != nil {
			return names, fmt.Sprintf("profile %q (mode %s) of %s gave no credentials: %s", p.Name, p.Mode, path, errdefs.FirstLine(err)), true
		}
		return names, "", true
	}
	if want == "" {
		return names, fmt.Sprintf("the current profile %q of %s is not one of its profiles (%s)", name, path, strings.Join(names, ", ")), false
	}
	return names, "", false
}

// diagnoseCredentialsFile reads the SDK's INI credentials file for its
// section names; a file that does not parse is a cause. Only names are read.
func diagnoseCredentialsFile(path string) (names []string, cause string) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ""
	}
	if err != nil {
		return nil, fmt.Sprintf("cannot read the credentials file %s: %v", path, errors.Unwrap(err))
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return names, fmt.Sprintf("the credentials file %s does not parse: line %d opens a section it does not close", path, i+1)
			}
			names = append(names, strings.TrimSpace(line[1:len(line)-1]))
		case !strings.ContainsAny(line, "=:"):
			return names, fmt.Sprintf("the credentials file %s does not parse: line %d is neither a [section] nor key = value", path, i+1)
		}
	}
	return names, ""
}

// jsonProblem describes a JSON error by line, never quoting the file.
func jsonProblem(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + strings.Count(string(b[:min(int(se.Offset), len(b))]), "\n")
		return fmt.Sprintf("line %d: %s", line, se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q should be a %s, not a %s", te.Field, te.Type, te.Value)
	}
	return "not a JSON object"
}

func describeProfiles(cliPath string, cliNames []string, iniPath string, iniNames []string) string {
	var parts []string
	if len(cliNames) > 0 {
		sort.Strings(cliNames)
		parts = append(parts, fmt.Sprintf("%s has %s", cliPath, strings.Join(cliNames, ", ")))
	}
	if len(iniNames) > 0 {
		sort.Strings(iniNames)
		parts = append(parts, fmt.Sprintf("%s has %s", iniPath, strings.Join(iniNames, ", ")))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("there is no profile at all (neither %s nor %s)", cliPath, iniPath)
	}
	return strings.Join(parts, "; ")
}
