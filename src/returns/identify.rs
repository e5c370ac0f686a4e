//! Identifying a returned workbook by its signed identity, never its file name: that it is a
//! workbook tianbao issued, of this campaign, signed with its secret, in the workbook it was
//! issued in (the document properties beside it agree), of the kind that may come from where it
//! lies (a review only from the review folder), and of the current period. The identity's kind
//! then chooses how the workbook is read.

use crate::identity::{Identity, Kind, PROP_DEPARTMENT, PROP_KIND};
use crate::workbook;

use super::findings::{At, Findings};
use super::{Context, Return, Status};
use crate::finding::Code;

/// The verified identity of `book`, or the status it is refused with (its findings in `f`).
pub(super) fn identify(
    ctx: &Context,
    book: &workbook::Workbook,
    ret: &mut Return,
    f: &mut Findings,
) -> Result<Identity, Status> {
    let identity = signed(ctx, book, ret, f)?;
    if let Some((value, expected)) = wrong_workbook(&identity, book) {
        let at = At {
            value: Some(value),
            expected: Some(expected),
            ..At::default()
        };
        f.error(Code::SignatureInvalid, at);
        return Err(Status::Unrecognized);
    }
    if identity.kind == Kind::Review && !ret.in_review_folder {
        // The review workbook is the assessment group's: it counts only from where the office
        // puts it, never from a department's folder, upload or zip.
        let at = At {
            expected: Some(ctx.review_folder.clone()),
            ..At::default()
        };
        f.error(Code::ReviewMisplaced, at);
        return Err(Status::Unrecognized);
    }
    if identity.period != ctx.period {
        // Another period's workbook (an earlier month's, sent again or put in the wrong
        // folder): never this period's return or review, whatever it holds.
        f.error(Code::PeriodOther, period_at(&identity, ctx));
        if identity.kind == Kind::Return {
            ret.claimed = Some(identity.department.clone());
        }
        return Err(Status::Unrecognized);
    }
    Ok(identity)
}

/// The identity of `book` when it is this campaign's and its signature verifies.
fn signed(
    ctx: &Context,
    book: &workbook::Workbook,
    ret: &mut Return,
    f: &mut Findings,
) -> Result<Identity, Status> {
    let identity = match Identity::read(book) {
        Ok(Some(identity)) => identity,
        Ok(None) => {
            f.error(Code::NotATemplate, At::default());
            return Err(Status::Unrecognized);
        }
        Err(err) => {
            let at = At {
                value: Some(err.to_string()),
                ..At::default()
            };
            f.error(Code::SignatureInvalid, at);
            return Err(Status::Unrecognized);
        }
    };
    if identity.campaign != ctx.campaign_id {
        let at = At {
            value: Some(identity.campaign.clone()),
            expected: Some(ctx.campaign_id.to_string()),
            ..At::default()
        };
        f.error(Code::ForeignCampaign, at);
        return Err(Status::Unrecognized);
    }
    if !identity.verify(ctx.secret) {
        f.error(Code::SignatureInvalid, At::default());
        ret.signature_failed = true;
        ret.claimed = Some(identity.department.clone());
        return Err(Status::Unrecognized);
    }
    Ok(identity)
}

/// A valid identity in the wrong workbook: the hidden sheet copied from another department's
/// workbook, or between a department's workbook and the review workbook. The document
/// properties written beside it tell: (what the identity says, what the properties say).
fn wrong_workbook(identity: &Identity, book: &workbook::Workbook) -> Option<(String, String)> {
    let props = &book.custom_properties;
    let claimed_kind = props.get(PROP_KIND).map(String::as_str);
    let kind = identity.kind.as_str().to_string();
    match identity.kind {
        Kind::Return => claimed_kind.map(|k| (kind, k.to_string())).or_else(|| {
            props
                .get(PROP_DEPARTMENT)
                .filter(|d| **d != identity.department)
                .map(|d| (identity.department.clone(), d.clone()))
        }),
        Kind::Review => props
            .get(PROP_DEPARTMENT)
            .map(|d| (kind.clone(), d.clone()))
            .or_else(|| {
                claimed_kind
                    .filter(|k| Kind::parse(k) != Some(Kind::Review))
                    .map(|k| (kind, k.to_string()))
            }),
    }
}

/// Where a workbook of another period stands: its period and the current one (`无` / `none`
/// where either has none, told by the message's variant).
fn period_at<'i>(identity: &'i Identity, ctx: &Context) -> At<'i> {
    let review = identity.kind == Kind::Review;
    let variant = match (&identity.period, &ctx.period, review) {
        (Some(_), Some(_), false) => None,
        (None, Some(_), false) => Some("period_other.unperiodic"),
        (Some(_), None, false) => Some("period_other.no_periods"),
        (Some(_), Some(_), true) => Some("period_other.review"),
        (None, Some(_), true) => Some("period_other.review_unperiodic"),
        (Some(_), None, true) => Some("period_other.review_no_periods"),
        (None, None, _) => None,
    };
    At {
        variant,
        value: identity.period.clone(),
        expected: ctx.period.clone(),
        args: vec![("department", identity.department.clone())],
        ..At::default()
    }
}
