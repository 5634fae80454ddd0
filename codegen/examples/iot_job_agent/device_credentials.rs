//! A device's credentials: its X.509 certificate, traded for temporary AWS
//! credentials at AWS IoT's credentials provider, apart from the program
//! around it so tests/credentials.rs runs it against its mutual-TLS server.
//!
//! Each setting is an argument or, failing that, an environment variable:
//!
//! | argument                 | variable                   |                                   |
//! |--------------------------|----------------------------|-----------------------------------|
//! | `--certificate PATH`     | `IOT_CERTIFICATE_FILE`     | the device certificate (PEM)      |
//! | `--private-key PATH`     | `IOT_PRIVATE_KEY_FILE`     | its private key (PEM)             |
//! | `--root-ca PATH`         | `IOT_ROOT_CA_FILE`         | extra trust anchors (optional)    |
//! | `--credentials-endpoint` | `IOT_CREDENTIALS_ENDPOINT` | the account's credentials endpoint |
//! | `--role-alias NAME`      | `IOT_ROLE_ALIAS`           | the role alias to assume          |
//!
//! The endpoint is what `aws iot describe-endpoint --endpoint-type
//! iot:CredentialProvider` prints (`<prefix>.credentials.iot.<region>.amazonaws.com`),
//! with or without `https://`; its region is the region the device calls
//! when none is configured.

use std::path::{Path, PathBuf};

use sdk_runtime::credentials::IotCredentialsProvider;

/// Where a device's identity is and which role it asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceIdentity {
    pub certificate_file: PathBuf,
    pub private_key_file: PathBuf,
    pub root_ca_file: Option<PathBuf>,
    /// A URL (`https://` added if the setting had no scheme).
    pub endpoint: String,
    pub role_alias: String,
}

/// One setting: its argument and its environment variable.
struct Setting {
    arg: &'static str,
    var: &'static str,
}

const CERTIFICATE: Setting = Setting {
    arg: "--certificate",
    var: "IOT_CERTIFICATE_FILE",
};
const PRIVATE_KEY: Setting = Setting {
    arg: "--private-key",
    var: "IOT_PRIVATE_KEY_FILE",
};
const ROOT_CA: Setting = Setting {
    arg: "--root-ca",
    var: "IOT_ROOT_CA_FILE",
};
const ENDPOINT: Setting = Setting {
    arg: "--credentials-endpoint",
    var: "IOT_CREDENTIALS_ENDPOINT",
};
const ROLE_ALIAS: Setting = Setting {
    arg: "--role-alias",
    var: "IOT_ROLE_ALIAS",
};

impl DeviceIdentity {
    /// The identity `args` (the program's arguments, without its name) and
    /// `var` (the environment) give; `None` when no certificate is given
    /// (the device then uses the standard credentials chain). The error
    /// names the setting that is missing or has no value.
    pub fn from_settings(
        args: &[String],
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, String> {
        let get = |setting: &Setting| -> Result<Option<String>, String> {
            let from_args = match args.iter().position(|a| a == setting.arg) {
                Some(i) => Some(
                    args.get(i + 1)
                        .filter(|v| !v.starts_with("--"))
                        .ok_or_else(|| format!("{} needs a value", setting.arg))?
                        .clone(),
                ),
                None => None,
            };
            Ok(from_args.or_else(|| var(setting.var).filter(|v| !v.is_empty())))
        };
        let Some(certificate) = get(&CERTIFICATE)? else {
            return Ok(None);
        };
        let required = |setting: &Setting| -> Result<String, String> {
            get(setting)?.ok_or_else(|| {
                format!(
                    "a device certificate is given: set {} or {} too",
                    setting.arg, setting.var
                )
            })
        };
        let endpoint = required(&ENDPOINT)?;
        let endpoint = if endpoint.contains("://") {
            endpoint
        } else {
            format!("https://{endpoint}")
        };
        Ok(Some(Self {
            certificate_file: certificate.into(),
            private_key_file: required(&PRIVATE_KEY)?.into(),
            root_ca_file: get(&ROOT_CA)?.map(PathBuf::from),
            endpoint,
            role_alias: required(&ROLE_ALIAS)?,
        }))
    }

    /// The region of an endpoint `<prefix>.credentials.iot.<region>.amazonaws.com`
    /// (or `.amazonaws.com.cn`), if it is one.
    pub fn region(&self) -> Option<&str> {
        let host = self.endpoint.split_once("://")?.1;
        let host = host.split(['/', ':']).next()?;
        let (_, rest) = host.split_once(".credentials.iot.")?;
        let (region, domain) = rest.split_once('.')?;
        domain.starts_with("amazonaws.com").then_some(region)
    }

    /// The provider for `thing_name`, with the files read; the error names
    /// the file that cannot be read or what the provider refuses.
    pub fn provider(&self, thing_name: &str) -> Result<IotCredentialsProvider, String> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let mut builder = IotCredentialsProvider::builder()
            .endpoint(&self.endpoint)
            .role_alias(&self.role_alias)
            .thing_name(thing_name)
            .certificate_pem(read(&self.certificate_file)?)
            .private_key_pem(read(&self.private_key_file)?);
        if let Some(root_ca) = &self.root_ca_file {
            builder = builder.root_ca_pem(read(root_ca)?);
        }
        builder.build().map_err(|e| e.to_string())
    }
}
