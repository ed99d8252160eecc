package aliyun

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// writeCLIConfig points ALIBABA_CLOUD_CONFIG_FILE at a new config and clears
// the other sources of the chain.
func writeCLIConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	t.Setenv(envConfigFile, path)
	t.Setenv(envCredentialsFile, filepath.Join(dir, "none"))
	for _, k := range []string{envAccessKeyID, envAccessKeySecret, envSecurityToken, envProfile, envRoleArn, envOIDCProvider, envOIDCTokenFile, envCredentialsURI, envCLIDisabled} {
		t.Setenv(k, "")
	}
	t.Setenv(envECSDisabled, "true")
	return path
}

const modesConfig = `{"current": "ak", "profiles": [
 {"name": "ak", "mode": "AK", "access_key_id": "id", "access_key_secret": "secret"},
 {"name": "role", "mode": "RamRoleArn", "access_key_id": "id", "access_key_secret": "secret", "ram_role_arn": "acs:ram::1:role/r"},
 {"name": "role-noarn", "mode": "RamRoleArn", "access_key_id": "id", "access_key_secret": "secret"},
 {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::2:role/r"},
 {"name": "loop1", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "acs:ram::2:role/r"},
 {"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop1", "ram_role_arn": "acs:ram::2:role/r"},
 {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "r"},
 {"name": "oidc", "mode": "OIDC", "oidc_provider_arn": "acs:ram::1:oidc-provider/p", "oidc_token_file": "/tmp/t", "ram_role_arn": "acs:ram::1:role/r"},
 {"name": "oidc-half", "mode": "OIDC", "ram_role_arn": "acs:ram::1:role/r"},
 {"name": "ext", "mode": "External", "process_command": "echo '{}'"},
 {"name": "ext-empty", "mode": "External"},
 {"name": "uri", "mode": "CredentialsURI", "credentials_uri": "http://127.0.0.1:1/c"},
 {"name": "uri-empty", "mode": "CredentialsURI"},
 {"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://x", "cloud_sso_account_id": "1", "cloud_sso_access_config": "ac", "access_token": "t", "cloud_sso_access_token_expire": 4102444800},
 {"name": "oauth", "mode": "OAuth", "oauth_site_type": "INTL", "oauth_refresh_token": "rt"},
 {"name": "oauth-site", "mode": "OAuth", "oauth_site_type": "EU", "oauth_refresh_token": "rt"},
 {"name": "oauth-none", "mode": "OAuth", "oauth_site_type": "CN"},
 {"name": "nomode"}
]}`

// TestResolveCredentialsModes: every mode builds its credentials-go
// provider, or says which field its mode lacks and how to set it in that
// mode (never by switching to an AccessKey).
func TestResolveCredentialsModes(t *testing.T) {
	writeCLIConfig(t, modesConfig)
	for _, tc := range []struct {
		profile string
		want    any    // provider type on success
		err     string // error substring otherwise
	}{
		{"ak", &providers.StaticAKCredentialsProvider{}, ""},
		{"role", &providers.RAMRoleARNCredentialsProvider{}, ""},
		{"role-noarn", nil, `profile "role-noarn" (mode RamRoleArn) of ` + "%s lacks ram_role_arn"},
		{"chain", &providers.RAMRoleARNCredentialsProvider{}, ""},
		{"loop1", nil, "its source_profile chain loops (loop1 -> loop2 -> loop1)"},
		{"ecs", nil, "needs the ECS metadata service"},
		{"oidc", &providers.OIDCCredentialsProvider{}, ""},
		{"oidc-half", nil, "lacks oidc_provider_arn, oidc_token_file"},
		{"ext", &externalProvider{}, ""},
		{"ext-empty", nil, "lacks process_command"},
		{"uri", &providers.URLCredentialsProvider{}, ""},
		{"uri-empty", nil, "lacks credentials_uri"},
		{"sso", &providers.CloudSSOCredentialsProvider{}, ""},
		{"oauth", &providers.OAuthCredentialsProvider{}, ""},
		{"oauth-site", nil, `has oauth_site_type "EU": it must be CN or INTL`},
		{"oauth-none", nil, "it was never signed in"},
		{"nomode", nil, "has no mode"},
		{"missing", nil, "--profile missing names no profile"},
	} {
		p, _, err := ResolveCredentials(tc.profile)
		if tc.err != "" {
			want := tc.err
			if strings.Contains(want, "%s") {
				want = strings.ReplaceAll(want, "%s", os.Getenv(envConfigFile))
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %v, want %q", tc.profile, err, want)
			}
			if err != nil && strings.Contains(err.Error(), "--mode AK") { // the hint is part of Error()
				t.Errorf("%s: advises AK: %v", tc.profile, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.profile, err)
			continue
		}
		if reflect.TypeOf(p) != reflect.TypeOf(tc.want) {
			t.Errorf("%s: provider %T, want %T", tc.profile, p, tc.want)
		}
	}
}

// TestResolveCredentialsChain: the environment first, then the CLI's current
// profile; ALIBABA_CLOUD_PROFILE picks a profile as --profile does, the flag
// winning.
func TestResolveCredentialsChain(t *testing.T) {
	writeCLIConfig(t, modesConfig)
	if _, s, err := ResolveCredentials(""); err != nil || s.Profile != "ak" {
		t.Fatalf("current profile: %+v %v", s, err)
	}
	t.Setenv(envProfile, "uri")
	if _, s, err := ResolveCredentials(""); err != nil || s.Profile != "uri" {
		t.Fatalf("ALIBABA_CLOUD_PROFILE: %+v %v", s, err)
	}
	if _, s, err := ResolveCredentials("sso"); err != nil || s.Profile != "sso" {
		t.Fatalf("--profile over the variable: %+v %v", s, err)
	}
	t.Setenv(envProfile, "")
	t.Setenv(envAccessKeyID, "envid")
	t.Setenv(envAccessKeySecret, "envsecret")
	if _, s, err := ResolveCredentials(""); err != nil || s.Provider != "environment" {
		t.Fatalf("environment: %+v %v", s, err)
	}
	t.Setenv(envAccessKeySecret, "")
	if _, _, err := ResolveCredentials(""); err == nil || !strings.Contains(err.Error(), "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not") {
		t.Fatalf("half-set: %v", err)
	}
}

// TestSDKProviderCaches: one External run per minute, not one per request.
func TestSDKProviderCaches(t *testing.T) {
	n := 0
	p := NewSDKProvider(countingProvider{&n}, Source{Provider: "test"})
	for range 3 {
		c, err := p.GetCredentials()
		if err != nil || c.AccessKeyId != "id" || c.SecurityToken != "tok" {
			t.Fatalf("%+v %v", c, err)
		}
	}
	if n != 1 {
		t.Fatalf("provider asked %d times, want 1", n)
	}
}

type countingProvider struct{ n *int }

func (c countingProvider) GetCredentials() (*providers.Credentials, error) {
	*c.n++
	return &providers.Credentials{AccessKeyId: "id", AccessKeySecret: "s", SecurityToken: "tok"}, nil
}
func (c countingProvider) GetProviderName() string { return "counting" }

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string][]string{
		`acc get --profile x`:              {"acc", "get", "--profile", "x"},
		`"/opt/my tool/bin" 'a b' c\ d ""`: {"/opt/my tool/bin", "a b", "c d", ""},
	} {
		got, err := splitCommand(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{``, `  `, `a "b`, `a\`} {
		if _, err := splitCommand(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestAssumeRoleIn: the role's ARN is built from the account and the name,
// and a failure to assume it names that ARN.
func TestAssumeRoleIn(t *testing.T) {
	writeCLIConfig(t, modesConfig)
	t.Setenv(EnvSTSEndpoint, "https://127.0.0.1:1")
	base, _, err := ResolveCredentials("ak")
	if err != nil {
		t.Fatal(err)
	}
	p, src, err := AssumeRoleIn(base, "2222222222222222", "ResourceDirectoryAccountAccessRole")
	if err != nil || src.Provider != "role acs:ram::2222222222222222:role/ResourceDirectoryAccountAccessRole" {
		t.Fatalf("%+v %v", src, err)
	}
	if _, err := NewSDKProvider(p, src).GetCredentials(); err == nil || !strings.Contains(err.Error(), src.Provider+" gave no credentials") {
		t.Fatalf("error %v", err)
	}
}

// TestBrokenCLIConfigDoesNotStopTheEnvironment: the CLI config is read only
// when the chain gets to it.
func TestBrokenCLIConfigDoesNotStopTheEnvironment(t *testing.T) {
	writeCLIConfig(t, `{"current": "x", oops`)
	t.Setenv(envAccessKeyID, "envid")
	t.Setenv(envAccessKeySecret, "envsecret")
	if _, s, err := ResolveCredentials(""); err != nil || s.Provider != "environment" {
		t.Fatalf("%+v %v", s, err)
	}
	t.Setenv(envAccessKeyID, "")
	t.Setenv(envAccessKeySecret, "")
	if _, _, err := ResolveCredentials(""); err == nil || !strings.Contains(err.Error(), "does not parse: line 1") {
		t.Fatalf("error %v", err)
	}
}

// TestHintsNeverAdviseAnAccessKey: whatever fails, the hint is the fix of
// the user's own mode (sign in again, fix the profile), never to create or
// use a long-lived AccessKey (--mode AK, ALIBABA_CLOUD_ACCESS_KEY_*).
func TestHintsNeverAdviseAnAccessKey(t *testing.T) {
	advisesAK := regexp.MustCompile(`--mode AK\b|ALIBABA_CLOUD_ACCESS_KEY|(create|configure|set up) an AccessKey`)
	hint := func(err error) string {
		var e *errdefs.Error
		if errors.As(err, &e) {
			return e.Hint
		}
		return ""
	}
	check := func(what string, err error, want string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		if h := hint(err); advisesAK.MatchString(h) || !strings.Contains(h, want) {
			t.Errorf("%s: hint %q, want %q and no AccessKey advice (error: %v)", what, h, want, err)
		}
	}
	writeCLIConfig(t, `{"current": "ak-half", "profiles": [
 {"name": "ak-half", "mode": "AK", "access_key_id": "id"},
 {"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "http://127.0.0.1:1", "cloud_sso_account_id": "1", "cloud_sso_access_config": "ac", "access_token": "t", "cloud_sso_access_token_expire": 4102444800},
 {"name": "uri", "mode": "CredentialsURI", "credentials_uri": "http://127.0.0.1:1/c"},
 {"name": "ext", "mode": "External", "process_command": "sh -c 'exit 3'"}
]}`)
	_, _, err := ResolveCredentials("ak-half")
	check("an AK profile without its secret", err, "aliyun configure --profile ak-half")
	for profile, want := range map[string]string{
		"sso": "aliyun configure --profile sso --mode CloudSSO",
		"uri": "--mode CredentialsURI",
		"ext": "--mode External",
	} {
		p, src, err := ResolveCredentials(profile)
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		_, err = NewSDKProvider(p, src).GetCredentials()
		check(profile+" that gives no credentials", err, want)
	}
	writeCLIConfig(t, `{}`)
	_, _, err = ResolveCredentials("")
	check("no credentials at all", err, "--mode CloudSSO")
}
