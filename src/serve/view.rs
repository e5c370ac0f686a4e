//! The campaign as the store last recorded it: the receipts of the last validate run of the
//! inbox, decided again as `compile` decides them (which return counts for each department),
//! with the upload receipts beside them. Nothing is read from the returns again.

use crate::app::AppError;
use crate::app::standing::Receipted;
use crate::finding::Code;
use crate::returns::{Collection, Return};
use crate::store::{Run, Store, Upload};

use super::state::Loaded;

/// The campaign's standing as last validated.
pub struct View {
    /// Empty when nothing was validated yet.
    pub collection: Option<Collection>,
    pub run: Option<Run>,
    /// The last uploads (newest first).
    pub uploads: Vec<Upload>,
}

impl View {
    pub fn read(loaded: &Loaded, store: &Store) -> Result<View, AppError> {
        let uploads = store.uploads(None, 2_000)?;
        let Some(receipted) = Receipted::last(store, "inbox")? else {
            return Ok(View {
                collection: None,
                run: None,
                uploads,
            });
        };
        let ctx = loaded.campaign.context(&loaded.master, &loaded.spec);
        let (collection, run) = receipted.settle(ctx);
        Ok(View {
            collection: Some(collection),
            run: Some(run),
            uploads,
        })
    }

    /// The return that counts for `department`.
    pub fn chosen(&self, department: &str) -> Option<&Return> {
        self.collection.as_ref()?.chosen(department)
    }

    /// The upload whose file is `ret`'s (same SHA-256), if it came through the web.
    pub fn upload_of(&self, ret: &Return) -> Option<&Upload> {
        self.uploads
            .iter()
            .find(|u| u.sha256 == ret.sha256 && u.file.is_some())
    }

    /// Whether the upload was kept and the last validate run did not check it yet.
    fn unchecked(&self, upload: &Upload) -> bool {
        upload.file.is_some()
            && self.collection.as_ref().is_none_or(|c| {
                !c.returns
                    .iter()
                    .any(|r| r.sha256 == upload.sha256 && r.path.ends_with(upload.file_name()))
            })
    }

    /// Uploads kept that the last validate run did not check yet.
    pub fn pending(&self) -> usize {
        self.uploads.iter().filter(|u| self.unchecked(u)).count()
    }

    /// `status` of a department: valid | invalid | confirm (valid, but replacing an earlier
    /// valid return with other content: the office confirms it) | missing | waiting (uploaded,
    /// not yet validated), with its errors (the confirmation not counted).
    pub fn status(&self, department: &str) -> (&'static str, usize) {
        use crate::returns::DepartmentStatus::{Invalid, Missing};
        let standing = self
            .collection
            .as_ref()
            .and_then(|c| c.departments.iter().find(|d| d.department == department));
        let unconfirmed = self.chosen(department).map_or(0, |r| {
            r.findings
                .iter()
                .filter(|f| f.code == Code::ReplacementUnconfirmed)
                .count()
        });
        match standing {
            Some(s) if s.status == Invalid && unconfirmed > 0 && s.errors == unconfirmed => {
                ("confirm", 0)
            }
            Some(s) if s.status == Invalid => {
                (s.status.as_str(), s.errors - unconfirmed.min(s.errors))
            }
            Some(s) if s.status != Missing => (s.status.as_str(), s.errors),
            _ if self
                .uploads
                .iter()
                .any(|u| u.department == department && self.unchecked(u)) =>
            {
                ("waiting", 0)
            }
            _ => ("missing", 0),
        }
    }
}

trait FileName {
    fn file_name(&self) -> &str;
}

impl FileName for Upload {
    /// The stored file's name (its last part).
    fn file_name(&self) -> &str {
        self.file
            .as_deref()
            .and_then(|f| f.rsplit(['/', '\\']).next())
            .unwrap_or("")
    }
}

/// The sign-off value of `key` of a return.
pub fn signoff<'a>(ret: Option<&'a Return>, key: &str) -> &'a str {
    ret.map_or("", |r| r.signoff_text(key))
}
