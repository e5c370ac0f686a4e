//! tianbao (填报): the distribute → fill → return → consolidate cycle for spreadsheet-based
//! reporting.
//!
//! The library holds the whole core — reading master tables, the model, specs, findings and
//! the workbooks tianbao writes — and knows nothing of the command line or the terminal; the
//! `tianbao` binary is a thin layer over it.

pub mod finding;
pub mod master;
pub mod model;
pub mod spec;
pub mod text;
pub mod workbook;
pub mod write;
