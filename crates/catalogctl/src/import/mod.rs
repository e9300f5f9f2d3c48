//! Products into the `products` table from outside: CSV files. The rules
//! live in `catalog_import` (the frontend's bulk upload applies the same).

pub use catalog_import::csv;
