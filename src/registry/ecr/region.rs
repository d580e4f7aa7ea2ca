//! The same registry's API in another region (or account): where replication copies a
//! repository, read with the same credential chain to compare what arrived.

use super::client::{api_endpoint, EcrClient};
use super::error::RetryCounters;
use super::token::TokenCache;

impl EcrClient {
    /// A client for `region` (and `account`, when given) signing with this client's
    /// credentials; API calls are counted with this client's. An endpoint override
    /// (`endpoint_url`, `AWS_ENDPOINT_URL_ECR`) is kept: it serves every region.
    pub fn in_region(&self, region: &str, account: Option<&str>) -> EcrClient {
        let conf = self
            .sdk
            .config()
            .to_builder()
            .region(aws_sdk_ecr::config::Region::new(region.to_string()))
            .build();
        let default_here = api_endpoint(None, None, None, &self.region);
        let endpoint = if self.endpoint == default_here {
            api_endpoint(None, None, None, region)
        } else {
            self.endpoint.clone()
        };
        let account = account.map(str::to_string).or_else(|| self.account.clone());
        EcrClient {
            sdk: aws_sdk_ecr::Client::from_conf(conf),
            registry: match &account {
                Some(a) => format!("{a}.dkr.ecr.{region}.amazonaws.com"),
                None => format!("ecr://{region}"),
            },
            account,
            region: region.to_string(),
            prefix: self.prefix.clone(),
            concurrency: self.concurrency,
            retry: self.retry.clone(),
            counters: RetryCounters::default(),
            calls: self.calls.clone(),
            tokens: TokenCache::default(),
            endpoint,
            profile: self.profile.clone(),
            credentials: self.credentials.clone(),
        }
    }
}
