//! Dev-only support for tianbao's tests, benchmarks and examples: a master table described as
//! data and written as a workbook in the layouts offices use ([`source`]), and synthetic
//! campaigns of any size ([`synthetic`]). Not part of the product's library.

pub mod source;
pub mod synthetic;
