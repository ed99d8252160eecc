package aliyun

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	sdkcredentials "github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Environment variables of the credential chain (credentials-go's names).
const (
	envAccessKeyID     = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	envAccessKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	envSecurityToken   = "ALIBABA_CLOUD_SECURITY_TOKEN"
	envProfile         = "ALIBABA_CLOUD_PROFILE"
	envConfigFile      = "ALIBABA_CLOUD_CONFIG_FILE"
	envCredentialsFile = "ALIBABA_CLOUD_CREDENTIALS_FILE"
	envCredentialsURI  = "ALIBABA_CLOUD_CREDENTIALS_URI"
	envCLIDisabled     = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
	envECSDisabled     = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
	envRoleArn         = "ALIBABA_CLOUD_ROLE_ARN"
	envOIDCProvider    = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
	envOIDCTokenFile   = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
)

// CLIModes are the aliyun CLI profile modes ack-expose signs with.
var CLIModes = []string{"AK", "StsToken", "RamRoleArn", "ChainableRamRoleArn", "EcsRamRole", "OIDC",
	"External", "CredentialsURI", "CloudSSO", "OAuth"}

// credentialsHint is the hint when no source was found or the one found
// is not a profile: ways that need no long-lived AccessKey (never advise
// creating one).
const credentialsHint = "Sign in with the aliyun CLI (`aliyun configure --mode CloudSSO`, or --mode OAuth) and pick the profile with " +
	"--profile or ALIBABA_CLOUD_PROFILE, use RRSA (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), " +
	"an ECS RAM role or ALIBABA_CLOUD_CREDENTIALS_URI (every way: docs/credentials.md)."

// profileHint is the fix of a profile of mode mode that gave no
// credentials, in its own mode: sign in again, check what the mode reads.
// An AK profile is not told to configure another AccessKey.
func profileHint(name, mode string) string {
	switch mode {
	case "CloudSSO", "OAuth":
		return fmt.Sprintf("Sign in again with `aliyun configure --profile %s --mode %s`.", name, mode)
	case "External":
		return fmt.Sprintf("Run its process_command yourself to see why, or fix it with `aliyun configure --profile %s --mode External`.", name)
	case "CredentialsURI":
		return fmt.Sprintf("Check that its credentials_uri answers, or fix it with `aliyun configure --profile %s --mode CredentialsURI`.", name)
	case "RamRoleArn", "ChainableRamRoleArn", "OIDC":
		return fmt.Sprintf("Check the role and that these credentials may assume it, or fix it with `aliyun configure --profile %s --mode %s`.", name, mode)
	case "EcsRamRole":
		return fmt.Sprintf("Run on an ECS instance with its RAM role attached, or fix it with `aliyun configure --profile %s --mode EcsRamRole`.", name)
	case "StsToken":
		return fmt.Sprintf("Get a new STS token into it with `aliyun configure --profile %s --mode StsToken`, or sign in with a mode that renews it (docs/credentials.md).", name)
	default:
		return fmt.Sprintf("Fix it with `aliyun configure --profile %s`, or use a profile of a mode that needs no long-lived AccessKey, such as CloudSSO (docs/credentials.md).", name)
	}
}

// CLIProfile is one profile of the aliyun CLI's config.json, with the
// aliyun CLI's own field names (aliyun-cli config/profile.go). Only read:
// ack-expose never writes that file (credentials-go's CLI provider rewrites it
// after a refresh and drops the fields it does not know).
type CLIProfile struct {
	Name                   string `json:"name"`
	Mode                   string `json:"mode"`
	AccessKeyID            string `json:"access_key_id"`
	AccessKeySecret        string `json:"access_key_secret"`
	StsToken               string `json:"sts_token"`
	StsRegion              string `json:"sts_region"`
	StsExpiration          int64  `json:"sts_expiration"`
	RamRoleName            string `json:"ram_role_name"`
	RamRoleArn             string `json:"ram_role_arn"`
	RoleSessionName        string `json:"ram_session_name"`
	ExternalID             string `json:"external_id"`
	SourceProfile          string `json:"source_profile"`
	ExpiredSeconds         int    `json:"expired_seconds"`
	RegionID               string `json:"region_id"`
	ProcessCommand         string `json:"process_command"`
	CredentialsURI         string `json:"credentials_uri"`
	OIDCProviderARN        string `json:"oidc_provider_arn"`
	OIDCTokenFile          string `json:"oidc_token_file"`
	CloudSSOSignInURL      string `json:"cloud_sso_sign_in_url"`
	AccessToken            string `json:"access_token"`
	CloudSSOAccessExpire   int64  `json:"cloud_sso_access_token_expire"`
	CloudSSOAccessConfig   string `json:"cloud_sso_access_config"`
	CloudSSOAccountID      string `json:"cloud_sso_account_id"`
	OAuthAccessToken       string `json:"oauth_access_token"`
	OAuthRefreshToken      string `json:"oauth_refresh_token"`
	OAuthAccessTokenExpire int64  `json:"oauth_access_token_expire"`
	OAuthSiteType          string `json:"oauth_site_type"`
	EnableVpc              bool   `json:"enable_vpc"`
}

// CLIConfig is the aliyun CLI's config.json as read.
type CLIConfig struct {
	Path     string       `json:"-"`
	Current  string       `json:"current"`
	Profiles []CLIProfile `json:"profiles"`
}

// CLIConfigPath is ALIBABA_CLOUD_CONFIG_FILE, else ~/.aliyun/config.json.
func CLIConfigPath() string {
	if p := os.Getenv(envConfigFile); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".aliyun", "config.json")
}

func credentialsFilePath() string {
	if p := os.Getenv(envCredentialsFile); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".alibabacloud", "credentials")
}

// LoadCLIConfig reads the aliyun CLI's config. A missing file is (nil, nil).
// Errors name the file and the line, never its content (it holds secrets).
func LoadCLIConfig() (*CLIConfig, error) {
	path := CLIConfigPath()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "cannot read the aliyun CLI config %s: %v", path, errors.Unwrap(err))
	}
	cfg := &CLIConfig{Path: path}
	if err := json.Unmarshal(b, cfg); err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "the aliyun CLI config %s does not parse: %s", path, jsonProblem(b, err)).
			WithHint("Fix the file, or run `aliyun configure` to rewrite it.")
	}
	return cfg, nil
}

// Profile returns the profile named name, or nil.
func (c *CLIConfig) Profile(name string) *CLIProfile {
	if c == nil {
		return nil
	}
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &c.Profiles[i]
		}
	}
	return nil
}

// Names are the profile names, sorted.
func (c *CLIConfig) Names() []string {
	if c == nil {
		return nil
	}
	var names []string
	for _, p := range c.Profiles {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

// Source is where the credentials came from, for -v 1 and the caller.
type Source struct {
	// Provider names the way, as in "profile dev (CloudSSO)" or "environment".
	Provider string
	// Profile is the aliyun CLI profile used, if any.
	Profile string
	// hint is what to do when it gives no credentials ("": credentialsHint).
	hint string
}

// ResolveCredentials finds the credentials to sign with: the named profile
// (--profile, else ALIBABA_CLOUD_PROFILE) of the aliyun CLI config or of the
// credentials file; else the chain credentials-go's default provider follows
// (environment, RRSA, the CLI's current profile, the credentials file's
// default, ALIBABA_CLOUD_CREDENTIALS_URI, the ECS RAM role). It builds
// credentials-go providers from its own read of the files and never passes
// them an update callback, so the user's files are never written.
func ResolveCredentials(profile string) (providers.CredentialsProvider, Source, error) {
	name := profile
	if name == "" {
		name = os.Getenv(envProfile)
	}
	if name != "" {
		return resolveNamedProfile(name, profile == "")
	}
	for _, step := range credentialChain {
		if prov, src, ok, err := step(); ok {
			return prov, src, err
		}
	}
	return nil, Source{}, errdefs.Errorf(errdefs.KindInvalid, "no Alibaba Cloud credentials found").WithHint("%s", credentialsHint)
}

// chainStep is one source of the default chain. ok reports that the source
// decided: then its provider, Source and error are the answer (an error
// included); else the chain goes on to the next source.
type chainStep func() (prov providers.CredentialsProvider, src Source, ok bool, err error)

// credentialChain is the default chain, in credentials-go's order.
var credentialChain = []chainStep{
	chainEnvKeys, chainRRSA, chainCLICurrent, chainCredentialsFileDefault, chainCredentialsURI, chainECSRole,
}

// loadCLIConfigUnlessDisabled is LoadCLIConfig, or (nil, nil) when
// ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true. The CLI config is read only when
// the chain gets to it: a broken one must not stop credentials the
// environment gives.
func loadCLIConfigUnlessDisabled() (*CLIConfig, error) {
	if strings.EqualFold(os.Getenv(envCLIDisabled), "true") {
		return nil, nil
	}
	return LoadCLIConfig()
}

// resolveNamedProfile is the profile name (fromEnv: given by
// ALIBABA_CLOUD_PROFILE, else by --profile) of the aliyun CLI config, else
// of the credentials file; a name in neither is an error listing both.
func resolveNamedProfile(name string, fromEnv bool) (providers.CredentialsProvider, Source, error) {
	cfg, err := loadCLIConfigUnlessDisabled()
	if err != nil {
		return nil, Source{}, err
	}
	if p := cfg.Profile(name); p != nil {
		return cfg.profileProvider(p)
	}
	iniNames, err := credentialsFileSections()
	if err != nil {
		return nil, Source{}, err
	}
	if slices.Contains(iniNames, name) {
		prov, err := iniProfile(name)
		return prov, Source{Provider: "credentials file profile " + name, Profile: name}, err
	}
	how := "--profile " + name
	if fromEnv {
		how = fmt.Sprintf("%s=%q", envProfile, name)
	}
	return nil, Source{}, errdefs.Errorf(errdefs.KindInvalid, "%s names no profile: %s", how, describeProfiles(cfg, iniNames)).
		WithHint("Pick one of those, or create it with `aliyun configure --profile %s`.", name)
}

// profileProvider is the provider of the aliyun CLI profile p, with its Source.
func (c *CLIConfig) profileProvider(p *CLIProfile) (providers.CredentialsProvider, Source, error) {
	prov, err := c.provider(p, nil)
	return prov, Source{Provider: fmt.Sprintf("aliyun CLI profile %s (%s)", p.Name, p.Mode), Profile: p.Name, hint: profileHint(p.Name, p.Mode)}, err
}

// chainEnvKeys: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET
// (with ALIBABA_CLOUD_SECURITY_TOKEN, an STS token); only one of the two is
// an error.
func chainEnvKeys() (providers.CredentialsProvider, Source, bool, error) {
	id, secret := os.Getenv(envAccessKeyID), os.Getenv(envAccessKeySecret)
	switch {
	case id != "" && secret != "":
		if tok := os.Getenv(envSecurityToken); tok != "" {
			p, err := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(id).WithAccessKeySecret(secret).WithSecurityToken(tok).Build()
			return p, Source{Provider: "environment (STS token)"}, true, err
		}
		p, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(id).WithAccessKeySecret(secret).Build()
		return p, Source{Provider: "environment"}, true, err
	case id != "" || secret != "":
		set, unset := envAccessKeyID, envAccessKeySecret
		if secret != "" {
			set, unset = unset, set
		}
		return nil, Source{}, true, errdefs.Errorf(errdefs.KindInvalid, "no usable Alibaba Cloud credentials: %s is set but %s is not: set both", set, unset).
			WithHint("%s", credentialsHint)
	}
	return nil, Source{}, false, nil
}

// chainRRSA: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and
// ALIBABA_CLOUD_OIDC_TOKEN_FILE all set.
func chainRRSA() (providers.CredentialsProvider, Source, bool, error) {
	if os.Getenv(envRoleArn) == "" || os.Getenv(envOIDCProvider) == "" || os.Getenv(envOIDCTokenFile) == "" {
		return nil, Source{}, false, nil
	}
	p, err := providers.NewOIDCCredentialsProviderBuilder().Build()
	return p, Source{Provider: "RRSA (OIDC)"}, true, err
}

// chainCLICurrent: the current profile of an aliyun CLI config that has
// profiles. A config that does not read, or whose current profile is not
// one of them, is an error.
func chainCLICurrent() (providers.CredentialsProvider, Source, bool, error) {
	cfg, err := loadCLIConfigUnlessDisabled()
	if err != nil {
		return nil, Source{}, true, err
	}
	if cfg == nil || len(cfg.Profiles) == 0 {
		return nil, Source{}, false, nil
	}
	p := cfg.Profile(cfg.Current)
	if p == nil {
		return nil, Source{}, true, errdefs.Errorf(errdefs.KindInvalid, "the current profile %q of %s is not one of its profiles (%s)", cfg.Current, cfg.Path, strings.Join(cfg.Names(), ", ")).
			WithHint("Pick one with --profile NAME, or `aliyun configure switch --profile NAME`.")
	}
	prov, src, err := cfg.profileProvider(p)
	return prov, src, true, err
}

// chainCredentialsFileDefault: the credentials file's [default] section. A
// file that does not read or parse is an error.
func chainCredentialsFileDefault() (providers.CredentialsProvider, Source, bool, error) {
	iniNames, err := credentialsFileSections()
	if err != nil {
		return nil, Source{}, true, err
	}
	if !slices.Contains(iniNames, "default") {
		return nil, Source{}, false, nil
	}
	prov, err := iniProfile("default")
	return prov, Source{Provider: "credentials file profile default", Profile: "default"}, true, err
}

// chainCredentialsURI: ALIBABA_CLOUD_CREDENTIALS_URI.
func chainCredentialsURI() (providers.CredentialsProvider, Source, bool, error) {
	u := os.Getenv(envCredentialsURI)
	if u == "" {
		return nil, Source{}, false, nil
	}
	p, err := providers.NewURLCredentialsProviderBuilder().WithUrl(u).Build()
	return p, Source{Provider: envCredentialsURI}, true, err
}

// chainECSRole: the ECS RAM role, unless ALIBABA_CLOUD_ECS_METADATA_DISABLED=true.
func chainECSRole() (providers.CredentialsProvider, Source, bool, error) {
	if strings.EqualFold(os.Getenv(envECSDisabled), "true") {
		return nil, Source{}, false, nil
	}
	p, err := providers.NewECSRAMRoleCredentialsProviderBuilder().Build()
	return p, Source{Provider: "ECS RAM role"}, true, err
}

// provider builds the credentials-go provider of a profile of mode p.Mode,
// checking first that it has what the mode needs. seen guards chains.
func (c *CLIConfig) provider(p *CLIProfile, seen []string) (providers.CredentialsProvider, error) {
	switch p.Mode {
	case "AK", "StsToken":
		return c.staticProvider(p)
	case "RamRoleArn", "ChainableRamRoleArn":
		return c.ramRoleProvider(p, seen)
	case "EcsRamRole":
		return c.ecsRAMRoleProvider(p)
	case "OIDC":
		return c.oidcProvider(p)
	case "External":
		if err := c.need(p, "process_command", p.ProcessCommand); err != nil {
			return nil, err
		}
		return newExternalProvider(p.Name, p.ProcessCommand)
	case "CredentialsURI":
		return c.credentialsURIProvider(p)
	case "CloudSSO":
		return c.cloudSSOProvider(p)
	case "OAuth":
		return c.oauthProvider(p)
	case "":
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q of %s has no mode: it was never configured", p.Name, c.Path).
			WithHint("Configure it with `aliyun configure --profile %s --mode MODE` (modes: %s).", p.Name, strings.Join(CLIModes, ", "))
	default:
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q of %s has mode %q, which ack-expose cannot sign with (it can use %s)", p.Name, c.Path, p.Mode, strings.Join(CLIModes, ", ")).
			WithHint("Pick another profile with --profile NAME, or configure this one with one of those modes, e.g. `aliyun configure --profile %s --mode CloudSSO`.", p.Name)
	}
}

// need checks that profile p has the fields its mode needs: fields are
// pairs of a field name (config.json's) and its value. The error names every
// empty one, and how to set them in the profile's own mode.
func (c *CLIConfig) need(p *CLIProfile, fields ...string) error {
	var missing []string
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			missing = append(missing, fields[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	e := errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode %s) of %s lacks %s", p.Name, p.Mode, c.Path, strings.Join(missing, ", "))
	if p.Mode == "AK" {
		return e.WithHint("%s", profileHint(p.Name, p.Mode))
	}
	return e.WithHint("Set it with `aliyun configure --profile %s --mode %s`.", p.Name, p.Mode)
}

// modeError is err about profile p (its name, mode and file first), with
// err's own hint.
func (c *CLIConfig) modeError(p *CLIProfile, err error) error {
	e := errdefs.Errorf(errdefs.KindOf(err), "profile %q (mode %s) of %s: %s", p.Name, p.Mode, c.Path, errdefs.FirstLine(err))
	var de *errdefs.Error
	if errors.As(err, &de) && de.Hint != "" {
		return e.WithHint("%s", de.Hint)
	}
	return e
}

// staticProvider is an AK profile's AccessKey, or a StsToken profile's STS
// token.
func (c *CLIConfig) staticProvider(p *CLIProfile) (providers.CredentialsProvider, error) {
	if p.Mode == "StsToken" {
		if err := c.need(p, "access_key_id", p.AccessKeyID, "access_key_secret", p.AccessKeySecret, "sts_token", p.StsToken); err != nil {
			return nil, err
		}
		return providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).WithSecurityToken(p.StsToken).Build()
	}
	if err := c.need(p, "access_key_id", p.AccessKeyID, "access_key_secret", p.AccessKeySecret); err != nil {
		return nil, err
	}
	return providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).Build()
}

// ramRoleProvider assumes a RamRoleArn profile's role with its AccessKey, or
// a ChainableRamRoleArn profile's role with the credentials of its
// source_profile (a loop in that chain is an error).
func (c *CLIConfig) ramRoleProvider(p *CLIProfile, seen []string) (providers.CredentialsProvider, error) {
	if p.Mode == "RamRoleArn" {
		if err := c.need(p, "access_key_id", p.AccessKeyID, "access_key_secret", p.AccessKeySecret, "ram_role_arn", p.RamRoleArn); err != nil {
			return nil, err
		}
		prev, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(p.AccessKeyID).WithAccessKeySecret(p.AccessKeySecret).Build()
		if err != nil {
			return nil, err
		}
		return c.assumeRole(p, prev)
	}
	if err := c.need(p, "source_profile", p.SourceProfile, "ram_role_arn", p.RamRoleArn); err != nil {
		return nil, err
	}
	if slices.Contains(seen, p.Name) {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode %s) of %s: its source_profile chain loops (%s)", p.Name, p.Mode, c.Path, strings.Join(append(seen, p.Name), " -> "))
	}
	src := c.Profile(p.SourceProfile)
	if src == nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode %s) of %s: its source_profile %q is not a profile there (%s)", p.Name, p.Mode, c.Path, p.SourceProfile, strings.Join(c.Names(), ", "))
	}
	prev, err := c.provider(src, append(seen, p.Name))
	if err != nil {
		return nil, err
	}
	return c.assumeRole(p, prev)
}

// ecsRAMRoleProvider is an EcsRamRole profile's role, through the ECS
// metadata service (an error when ALIBABA_CLOUD_ECS_METADATA_DISABLED=true).
func (c *CLIConfig) ecsRAMRoleProvider(p *CLIProfile) (providers.CredentialsProvider, error) {
	if strings.EqualFold(os.Getenv(envECSDisabled), "true") {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode EcsRamRole) of %s needs the ECS metadata service, and %s=true turns it off", p.Name, c.Path, envECSDisabled)
	}
	return providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(p.RamRoleName).Build()
}

// oidcProvider assumes an OIDC profile's role with its OIDC token file.
func (c *CLIConfig) oidcProvider(p *CLIProfile) (providers.CredentialsProvider, error) {
	if err := c.need(p, "oidc_provider_arn", p.OIDCProviderARN, "oidc_token_file", p.OIDCTokenFile, "ram_role_arn", p.RamRoleArn); err != nil {
		return nil, err
	}
	b := providers.NewOIDCCredentialsProviderBuilder().WithOIDCProviderARN(p.OIDCProviderARN).WithOIDCTokenFilePath(p.OIDCTokenFile).
		WithRoleArn(p.RamRoleArn).WithRoleSessionName(p.RoleSessionName).WithStsRegionId(p.StsRegion).WithEnableVpc(p.EnableVpc).
		WithDurationSeconds(p.ExpiredSeconds)
	e, err := stsEndpointOverride()
	if err != nil {
		return nil, c.modeError(p, err)
	}
	if e != "" {
		b = b.WithSTSEndpoint(e)
	}
	return b.Build()
}

// credentialsURIProvider asks a CredentialsURI profile's credentials_uri,
// else ALIBABA_CLOUD_CREDENTIALS_URI.
func (c *CLIConfig) credentialsURIProvider(p *CLIProfile) (providers.CredentialsProvider, error) {
	uri := p.CredentialsURI
	if uri == "" {
		uri = os.Getenv(envCredentialsURI)
	}
	if err := c.need(p, "credentials_uri", uri); err != nil {
		return nil, err
	}
	return providers.NewURLCredentialsProviderBuilder().WithUrl(uri).Build()
}

// cloudSSOProvider is a CloudSSO profile's cached STS credential while it
// lasts, else credentials-go's CloudSSO provider with the profile's sign-in
// (an error when its access token is missing, has no expiry or expired).
// Every error names the profile, the mode, what it lacks (the cached
// credential's too) and says to sign in again.
func (c *CLIConfig) cloudSSOProvider(p *CLIProfile) (providers.CredentialsProvider, error) {
	if cached := p.cachedSTS(); cached != nil {
		return cached, nil
	}
	signIn := fmt.Sprintf("Sign in again with `aliyun configure --profile %s --mode CloudSSO`.", p.Name)
	if err := c.need(p, "cloud_sso_sign_in_url", p.CloudSSOSignInURL, "cloud_sso_account_id", p.CloudSSOAccountID, "cloud_sso_access_config", p.CloudSSOAccessConfig); err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "%s%s", errdefs.FirstLine(err), p.cachedLacks()).WithHint("%s", signIn)
	}
	why := tokenProblem("access_token", "cloud_sso_access_token_expire", p.CloudSSOAccessExpire)
	if p.AccessToken == "" {
		why = "its access_token is missing"
	}
	if why != "" {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode CloudSSO) of %s has no valid sign-in: %s%s", p.Name, c.Path, why, p.cachedLacks()).
			WithHint("%s", signIn)
	}
	prov, err := providers.NewCloudSSOCredentialsProviderBuilder().WithSignInUrl(p.CloudSSOSignInURL).WithAccountId(p.CloudSSOAccountID).
		WithAccessConfig(p.CloudSSOAccessConfig).WithAccessToken(p.AccessToken).WithAccessTokenExpire(p.CloudSSOAccessExpire).Build()
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode CloudSSO) of %s: %s", p.Name, c.Path, errdefs.FirstLine(err)).WithHint("%s", signIn)
	}
	return prov, nil
}

// tokenProblem says why a profile's cached sign-in token cannot be used:
// no expiry recorded (expireField), or expired; "" when it can.
func tokenProblem(field, expireField string, expire int64) string {
	switch {
	case expire == 0:
		return "its " + field + " has no expiry (" + expireField + ")"
	case time.Unix(expire, 0).Before(time.Now()):
		return "its " + field + " expired at " + time.Unix(expire, 0).UTC().Format(time.RFC3339)
	}
	return ""
}

// oauthProvider is an OAuth profile's cached STS credential while it lasts,
// else credentials-go's OAuth provider for the profile's site (CN or INTL)
// with its tokens.
func (c *CLIConfig) oauthProvider(p *CLIProfile) (providers.CredentialsProvider, error) {
	if cached := p.cachedSTS(); cached != nil {
		return cached, nil
	}
	signIn := fmt.Sprintf("Sign in again with `aliyun configure --profile %s --mode OAuth`.", p.Name)
	site := strings.ToUpper(p.OAuthSiteType)
	if site != "CN" && site != "INTL" {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode OAuth) of %s has oauth_site_type %q: it must be CN or INTL", p.Name, c.Path, p.OAuthSiteType).
			WithHint("%s", signIn)
	}
	if p.OAuthRefreshToken == "" && p.OAuthAccessToken == "" {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode OAuth) of %s lacks oauth_refresh_token and oauth_access_token: it was never signed in%s", p.Name, c.Path, p.cachedLacks()).
			WithHint("Sign in with `aliyun configure --profile %s --mode OAuth`.", p.Name)
	}
	if p.OAuthRefreshToken == "" {
		if why := tokenProblem("oauth_access_token", "oauth_access_token_expire", p.OAuthAccessTokenExpire); why != "" {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode OAuth) of %s has no valid sign-in: %s and it has no oauth_refresh_token%s", p.Name, c.Path, why, p.cachedLacks()).
				WithHint("%s", signIn)
		}
	}
	// The endpoints and client IDs are the aliyun CLI's (and credentials-go's)
	// for each site. No token update callback: a refreshed token lives in
	// memory for this run only.
	url, client := "https://oauth.aliyun.com", "4038181954557748008"
	if site == "INTL" {
		url, client = "https://oauth.alibabacloud.com", "4103531455503354461"
	}
	prov, err := providers.NewOAuthCredentialsProviderBuilder().WithSignInUrl(url).WithClientId(client).
		WithRefreshToken(p.OAuthRefreshToken).WithAccessToken(p.OAuthAccessToken).WithAccessTokenExpire(p.OAuthAccessTokenExpire).Build()
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode OAuth) of %s: %s", p.Name, c.Path, errdefs.FirstLine(err)).WithHint("%s", signIn)
	}
	return prov, nil
}

// cachedLacks says, as "; its cached STS credential ..." to end a message,
// why the STS credential the aliyun CLI cached in a CloudSSO or OAuth
// profile cannot be used: the fields it lacks, or when it expired. "" when
// the profile caches none.
func (p *CLIProfile) cachedLacks() string {
	if p.AccessKeyID == "" && p.AccessKeySecret == "" && p.StsToken == "" && p.StsExpiration == 0 {
		return ""
	}
	var lacks []string
	for _, f := range [][2]string{{"access_key_id", p.AccessKeyID}, {"access_key_secret", p.AccessKeySecret}, {"sts_token", p.StsToken}} {
		if strings.TrimSpace(f[1]) == "" {
			lacks = append(lacks, f[0])
		}
	}
	if p.StsExpiration == 0 {
		lacks = append(lacks, "sts_expiration")
	}
	if len(lacks) > 0 {
		return "; its cached STS credential lacks " + strings.Join(lacks, ", ")
	}
	return "; its cached STS credential expires at " + time.Unix(p.StsExpiration, 0).UTC().Format(time.RFC3339) + " (less than five minutes from now, or past)"
}

// assumeRole wraps prev in credentials-go's RAM role provider for the
// profile's role.
func (c *CLIConfig) assumeRole(p *CLIProfile, prev providers.CredentialsProvider) (providers.CredentialsProvider, error) {
	b := providers.NewRAMRoleARNCredentialsProviderBuilder().WithCredentialsProvider(prev).WithRoleArn(p.RamRoleArn).
		WithRoleSessionName(p.RoleSessionName).WithDurationSeconds(p.ExpiredSeconds).WithStsRegionId(p.StsRegion).
		WithEnableVpc(p.EnableVpc).WithExternalId(p.ExternalID)
	e, err := stsEndpointOverride()
	if err != nil {
		return nil, c.modeError(p, err)
	}
	if e != "" {
		b = b.WithStsEndpoint(e)
	}
	prov, err := b.Build()
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "profile %q (mode %s) of %s: %v", p.Name, p.Mode, c.Path, err).
			WithHint("Fix it with `aliyun configure --profile %s --mode %s`.", p.Name, p.Mode)
	}
	return prov, nil
}

// cachedSTS is the STS credential the aliyun CLI keeps in a CloudSSO or
// OAuth profile after signing in, while it has more than five minutes left:
// used as is, it needs no call to the sign-in service.
func (p *CLIProfile) cachedSTS() providers.CredentialsProvider {
	if p.AccessKeyID == "" || p.AccessKeySecret == "" || p.StsToken == "" || p.StsExpiration == 0 ||
		time.Unix(p.StsExpiration, 0).Before(time.Now().Add(5*time.Minute)) {
		return nil
	}
	prov, err := providers.NewStaticSTSCredentialsProviderBuilder().WithAccessKeyId(p.AccessKeyID).
		WithAccessKeySecret(p.AccessKeySecret).WithSecurityToken(p.StsToken).Build()
	if err != nil {
		return nil
	}
	return prov
}

// stsEndpointOverride is ACK_EXPOSE_STS_ENDPOINT's host[:port], for the
// providers that assume roles ("" when unset). credentials-go calls STS over
// https only: a plain http override (loopback, for GetCallerIdentity against
// simulator serve) is an error, not a silent fallback to the real STS.
func stsEndpointOverride() (string, error) {
	raw := os.Getenv(EnvSTSEndpoint)
	if raw == "" {
		return "", nil
	}
	e, err := ParseEndpoint(EnvSTSEndpoint, raw)
	if err != nil {
		return "", err
	}
	if e.Scheme != "HTTPS" {
		return "", errdefs.Errorf(errdefs.KindInvalid, "%s=%q is plain http: roles are assumed over https only", EnvSTSEndpoint, raw).
			WithHint("Give https://host:port (`simulator serve` answers AssumeRole over https on its port, with its CA in SSL_CERT_FILE), or unset %s.", EnvSTSEndpoint)
	}
	if e.Port == "443" {
		return e.Host, nil
	}
	return e.Host + ":" + e.Port, nil
}

// iniProfile is a section of the credentials file (INI), through
// credentials-go's read-only provider for it.
func iniProfile(name string) (providers.CredentialsProvider, error) {
	// The provider reads ALIBABA_CLOUD_CREDENTIALS_FILE itself.
	return providers.NewProfileCredentialsProviderBuilder().WithProfileName(name).Build()
}

// credentialsFileSections reads the credentials file's section names; a file
// that does not parse is an error. Only names are read.
func credentialsFileSections() ([]string, error) {
	path := credentialsFilePath()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "cannot read the credentials file %s: %v", path, errors.Unwrap(err))
	}
	var names []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return names, errdefs.Errorf(errdefs.KindInvalid, "the credentials file %s does not parse: line %d opens a section it does not close", path, i+1)
			}
			names = append(names, strings.TrimSpace(line[1:len(line)-1]))
		case !strings.ContainsAny(line, "=:"):
			return names, errdefs.Errorf(errdefs.KindInvalid, "the credentials file %s does not parse: line %d is neither a [section] nor key = value", path, i+1)
		}
	}
	return names, nil
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

func describeProfiles(cfg *CLIConfig, iniNames []string) string {
	var parts []string
	if names := cfg.Names(); len(names) > 0 {
		parts = append(parts, fmt.Sprintf("%s has %s", cfg.Path, strings.Join(names, ", ")))
	}
	if len(iniNames) > 0 {
		sort.Strings(iniNames)
		parts = append(parts, fmt.Sprintf("%s has %s", credentialsFilePath(), strings.Join(iniNames, ", ")))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("there is no profile at all (neither %s nor %s)", CLIConfigPath(), credentialsFilePath())
	}
	return strings.Join(parts, "; ")
}

// sdkProvider adapts a credentials-go provider to the provider interface of
// alibaba-cloud-sdk-go, which signs every request with GetCredentials. It
// keeps an answer for a minute: an External command or a credentials URI
// without an expiry would otherwise run once per request, and every
// credentials-go provider renews three minutes or more before expiry.
type sdkProvider struct {
	p      providers.CredentialsProvider
	source Source
	mu     sync.Mutex
	cached *sdkcredentials.Credentials
	at     time.Time
}

// NewSDKProvider wraps p for alibaba-cloud-sdk-go.
func NewSDKProvider(p providers.CredentialsProvider, s Source) sdkcredentials.CredentialsProvider {
	return &sdkProvider{p: p, source: s}
}

func (a *sdkProvider) GetCredentials() (*sdkcredentials.Credentials, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cached != nil && time.Since(a.at) < time.Minute {
		return a.cached, nil
	}
	cc, err := a.p.GetCredentials()
	if err != nil {
		// Providers quote answers (an STS error, a URI's body) but not the
		// files: keep the first line and drop URL queries.
		return nil, errdefs.Errorf(errdefs.KindInvalid, "%s gave no credentials: %s", a.source.Provider, scrubURLs(errdefs.FirstLine(err))).WithHint("%s", cmp.Or(a.source.hint, credentialsHint))
	}
	a.cached = &sdkcredentials.Credentials{AccessKeyId: cc.AccessKeyId, AccessKeySecret: cc.AccessKeySecret,
		SecurityToken: cc.SecurityToken, ProviderName: cc.ProviderName}
	a.at = time.Now()
	return a.cached, nil
}

func (a *sdkProvider) GetProviderName() string { return a.p.GetProviderName() }

// ProfilesForAccount names the aliyun CLI profiles that, by their own
// fields, sign as account uid: a CloudSSO profile's cloud_sso_account_id, or
// the account of a role a profile assumes (acs:ram::<uid>:role/...). No call.
func ProfilesForAccount(uid string) []string {
	cfg, err := LoadCLIConfig()
	if err != nil || cfg == nil {
		return nil
	}
	var out []string
	for _, p := range cfg.Profiles {
		if p.CloudSSOAccountID == uid || roleAccount(p.RamRoleArn) == uid {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// roleAccount is the account UID of a RAM role ARN, acs:ram::<uid>:role/NAME.
func roleAccount(arn string) string {
	rest, ok := strings.CutPrefix(arn, "acs:ram::")
	if !ok {
		return ""
	}
	uid, _, _ := strings.Cut(rest, ":")
	return uid
}

// AssumeRoleIn is a provider that assumes acs:ram::<uid>:role/<role> with
// the credentials of base (Resource Directory's member accounts have
// ResourceDirectoryAccountAccessRole), through credentials-go's RAM role
// provider. No call until it is asked for credentials.
func AssumeRoleIn(base providers.CredentialsProvider, uid, role string) (providers.CredentialsProvider, Source, error) {
	arn := "acs:ram::" + uid + ":role/" + role
	b := providers.NewRAMRoleARNCredentialsProviderBuilder().WithCredentialsProvider(base).WithRoleArn(arn).
		WithRoleSessionName("ack-expose-audit")
	e, err := stsEndpointOverride()
	if err != nil {
		return nil, Source{}, errdefs.Errorf(errdefs.KindInvalid, "--assume-role %s in account %s: %s", role, uid, errdefs.FirstLine(err)).
			WithHint("Give https://host:port in %s, or unset it.", EnvSTSEndpoint)
	}
	if e != "" {
		b = b.WithStsEndpoint(e)
	}
	p, err := b.Build()
	if err != nil {
		return nil, Source{}, errdefs.Errorf(errdefs.KindInvalid, "--assume-role %s in account %s: %v", role, uid, err)
	}
	return p, Source{Provider: "role " + arn}, nil
}
