//! The departments' links (`tianbao serve`): each department's private link in force, issued
//! where it has none, and a link reissued (the old one revoked). The tokens are made and kept
//! by [`crate::access`]; this is the operation the command line and the office's page share.

use crate::access::{self, AccessError, Link};
use crate::campaign::Campaign;
use crate::store::Store;

use super::AppError;

/// Why the links could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Access(#[from] AccessError),
}

impl From<crate::store::StoreError> for LinksError {
    fn from(e: crate::store::StoreError) -> LinksError {
        LinksError::App(AppError::Store(e))
    }
}

impl From<crate::campaign::CampaignError> for LinksError {
    fn from(e: crate::campaign::CampaignError) -> LinksError {
        LinksError::App(AppError::Campaign(e))
    }
}

impl From<crate::master::MasterError> for LinksError {
    fn from(e: crate::master::MasterError) -> LinksError {
        LinksError::App(AppError::Master(e))
    }
}

/// Every department's link in force, issuing a token for each that has none; the address
/// departments reach the server at (`base`) is kept in the store (the notices name it).
pub fn ensure(campaign: &Campaign, base: &str) -> Result<Vec<Link>, LinksError> {
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    let names: Vec<&str> = read
        .master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let store = Store::open(&campaign.store_path())?;
    let at = crate::time::now_utc();
    let links = access::ensure(&store, &campaign.config.secret, &names, &at)?;
    store.set_setting(access::URL_SETTING, base)?;
    Ok(links)
}

/// Revokes `department`'s link and issues a new one; the log says `actor` did.
pub fn reissue(campaign: &Campaign, department: &str, actor: &str) -> Result<Link, LinksError> {
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    if read.master.department(department).is_none() {
        let known: Vec<&str> = read
            .master
            .departments()
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        return Err(AppError::NoDepartment {
            name: department.to_string(),
            known: known.join("、"),
        }
        .into());
    }
    let store = Store::open(&campaign.store_path())?;
    let at = crate::time::now_utc();
    let link = access::issue(&store, &campaign.config.secret, department, &at)?;
    store.log(&at, actor, "reissue", department)?;
    Ok(link)
}

/// Each department of `master`, in its order, with its link in force at the address kept in
/// the store ("" when it has none).
pub fn in_force(
    campaign: &Campaign,
    master: &crate::model::Master,
) -> Result<Vec<(String, String)>, LinksError> {
    let store = Store::open(&campaign.store_path())?;
    let base = store.setting(access::URL_SETTING)?.unwrap_or_default();
    let links = access::links(&store, &campaign.config.secret)?;
    Ok(master
        .departments()
        .iter()
        .map(|d| {
            let url = links
                .iter()
                .find(|l| l.department == d.name)
                .map(|l| l.url(&base))
                .unwrap_or_default();
            (d.name.clone(), url)
        })
        .collect())
}
