//! Line wrapping, pages and the flow of text down them.
//!
//! Everything is measured with the embedded font's advances (see [`crate::fonts`]), so a line
//! never runs past the margin and the same text always breaks the same way. A [`Flow`] moves a
//! cursor down the page and starts a new one before anything would cross the bottom margin;
//! documents draw their headers and footers afterwards, once the page count is known.
//!
//! One room each, each using only those above it:
//! - [`measure`]: wrapping, balancing, fitting (whole or cut) and truncating text with the
//!   font's advances;
//! - [`canvas`]: a [`Page`] and its drawing operations, colours, [`Style`], [`Align`], A4 sizes;
//! - [`flow`]: [`Margins`] and the [`Flow`] that paginates;
//! - [`mod@table`]: tables drawn down a flow.
//!
//! Documents import from here, not from the rooms, so moving code between rooms changes no
//! caller.

mod canvas;
mod flow;
mod measure;
mod table;

pub(crate) use canvas::{A4_LANDSCAPE, A4_PORTRAIT, Align, Page, Rgb, Style, colour};
pub(crate) use flow::{Flow, Margins};
pub(crate) use measure::{balanced, fit, fit_whole, truncate, wrap};
pub(crate) use table::{Cell, Column, table};
