//! `sqlx::migrate!` embeds the migrations when the crate compiles: rebuild it when one changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
