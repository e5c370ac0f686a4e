//! tianbao (填报): the distribute → fill → return → consolidate cycle for spreadsheet-based
//! reporting.
//!
//! The library holds the whole core — reading master tables, the model, specs, findings and
//! the workbooks tianbao writes — and knows nothing of the command line or the terminal; the
//! `tianbao` binary is a thin layer over it.

pub mod access;
pub mod app;
pub mod campaign;
pub mod cell_text;
pub mod compile;
pub mod demo;
pub mod digest;
pub mod explain;
pub mod finding;
pub mod form;
pub mod identity;
pub mod inputs;
pub mod lock;
pub mod master;
pub mod master_layout;
pub mod model;
pub mod notice;
pub mod returns;
pub mod rule;
pub mod schedule;
#[cfg(feature = "serve")]
pub mod serve;
pub mod spec;
pub mod store;
pub mod style;
pub mod template;
pub mod time;
pub mod ui_texts;
pub mod workbook;
pub mod write;
