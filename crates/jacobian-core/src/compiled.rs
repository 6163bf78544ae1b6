//! The drivers compiled once, in this crate, for `f32` and `f64`. Build plumbing, not AD.
//!
//! A generic function is compiled again by every crate that calls it with a concrete type, at
//! that crate's optimisation level. A notebook cell is such a crate (evcxr compiles each cell as
//! one), so a cell that called `jacfwd` would compile the whole engine under it again: about two
//! seconds of the cell's time. So each public driver passes its work to a method of [`Drivers`],
//! implemented below for `f32` and `f64`. Those methods are not generic: they are compiled here
//! once, and a caller only links to them. The generic bodies are the `*_generic` functions next
//! to each driver.

use ndarray::{Array1, Array2, ArrayD, ArrayView1};

use crate::error::Result;
use crate::jacobian::Prepared;
use crate::program::Program;

/// The drivers behind the public functions, one method each (see the [module docs](self)).
/// Implemented for `f32` and `f64` only; a supertrait of [`Real`](crate::Real).
pub trait Drivers: Sized {
    /// [`Program::call`].
    fn call(f: &Program<Self>, x: ArrayView1<Self>) -> Result<ArrayD<Self>>;
    /// [`Program::prepare`].
    fn prepare(f: &Program<Self>) -> Prepared<Self>;
    /// [`Prepared::jacobian`].
    fn jacobian(p: &mut Prepared<Self>, x: ArrayView1<Self>) -> Result<ArrayD<Self>>;
    /// [`jvp`](crate::jvp).
    fn jvp(
        f: &Program<Self>,
        x: ArrayView1<Self>,
        v: ArrayView1<Self>,
    ) -> Result<(ArrayD<Self>, ArrayD<Self>)>;
    /// [`vjp`](crate::vjp).
    fn vjp(
        f: &Program<Self>,
        x: ArrayView1<Self>,
        c: ArrayView1<Self>,
    ) -> Result<(ArrayD<Self>, Array1<Self>)>;
    /// [`grad`](crate::grad).
    fn grad(f: &Program<Self>) -> Result<Program<Self>>;
    /// [`hessian`](crate::hessian).
    fn hessian(f: &Program<Self>, x: ArrayView1<Self>) -> Result<Array2<Self>>;
    /// [`hvp`](crate::hvp).
    fn hvp(f: &Program<Self>, x: ArrayView1<Self>, v: ArrayView1<Self>) -> Result<Array1<Self>>;
}

macro_rules! drivers {
    ($t:ty) => {
        // `inline(never)`: were a caller's crate to inline one of these, it would compile the
        // generic body again, which is what this module avoids.
        impl Drivers for $t {
            #[inline(never)]
            fn call(f: &Program<$t>, x: ArrayView1<$t>) -> Result<ArrayD<$t>> {
                f.call_generic(x)
            }
            #[inline(never)]
            fn prepare(f: &Program<$t>) -> Prepared<$t> {
                f.prepare_generic()
            }
            #[inline(never)]
            fn jacobian(p: &mut Prepared<$t>, x: ArrayView1<$t>) -> Result<ArrayD<$t>> {
                p.jacobian_generic(x)
            }
            #[inline(never)]
            fn jvp(
                f: &Program<$t>,
                x: ArrayView1<$t>,
                v: ArrayView1<$t>,
            ) -> Result<(ArrayD<$t>, ArrayD<$t>)> {
                crate::jacobian::jvp_generic(f, x, v)
            }
            #[inline(never)]
            fn vjp(
                f: &Program<$t>,
                x: ArrayView1<$t>,
                c: ArrayView1<$t>,
            ) -> Result<(ArrayD<$t>, Array1<$t>)> {
                crate::jacobian::vjp_generic(f, x, c)
            }
            #[inline(never)]
            fn grad(f: &Program<$t>) -> Result<Program<$t>> {
                crate::grad::grad_generic(f)
            }
            #[inline(never)]
            fn hessian(f: &Program<$t>, x: ArrayView1<$t>) -> Result<Array2<$t>> {
                crate::hessian::hessian_generic(f, x)
            }
            #[inline(never)]
            fn hvp(f: &Program<$t>, x: ArrayView1<$t>, v: ArrayView1<$t>) -> Result<Array1<$t>> {
                crate::hessian::hvp_generic(f, x, v)
            }
        }
    };
}
drivers!(f32);
drivers!(f64);
