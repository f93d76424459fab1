//! Settling a lost answer ([D22](crate::decisions#d22)): how long a request
//! whose answer was lost may still land at Dojo, and when a fresh read that
//! does not show it may release its money.
//!
//! A POST that timed out can reach Dojo after a GET that did not show it.
//! So a read that misses an operation of unknown outcome releases nothing
//! until the operation's *settle horizon* has passed: the moment its loss
//! was first seen by a read that started at a known time, plus the
//! [`SettleWindow`]. Only a read that *started* after the horizon, and still
//! does not show the operation, releases it. The crate never reads a clock:
//! every time here is the caller's, passed in.

use std::fmt;

use jiff::{SignedDuration, Timestamp};

/// How long after an answer was lost its request may still land at Dojo:
/// a read must start this long after the loss before what it does not show
/// is released ([D22](crate::decisions#d22)).
///
/// The default, [`SettleWindow::DEFAULT`], is 15 minutes: many times any
/// HTTP client's timeout plus the time a request can sit in a proxy or a
/// retry queue, so that a request still travelling lands before the
/// horizon. A shorter window frees money sooner and risks a second
/// capture of it; a window is never zero.
///
/// ```
/// use dojo_capture::{SettleWindow, SignedDuration};
///
/// assert_eq!(SettleWindow::default().duration(), SignedDuration::from_mins(15));
/// let short = SettleWindow::new(SignedDuration::from_mins(5))?;
/// assert_eq!(short.duration().as_secs(), 300);
/// assert_eq!(
///     SettleWindow::new(SignedDuration::ZERO).unwrap_err().to_string(),
///     "a settle window must be longer than zero, not 0s"
/// );
/// # Ok::<(), dojo_capture::SettleWindowError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SettleWindow(SignedDuration);

impl SettleWindow {
    /// 15 minutes: the window when the caller names none.
    ///
    /// ```
    /// use dojo_capture::SettleWindow;
    ///
    /// assert_eq!(SettleWindow::DEFAULT, SettleWindow::default());
    /// assert_eq!(SettleWindow::DEFAULT.duration().as_secs(), 900);
    /// ```
    pub const DEFAULT: SettleWindow = SettleWindow(SignedDuration::from_mins(15));

    /// A window of `duration`, which must be longer than zero.
    ///
    /// # Errors
    /// `settle_window_not_positive` for zero or a negative duration: a
    /// window of zero would release on the first read that missed the
    /// operation, the very mistake the window exists to prevent.
    ///
    /// ```
    /// use dojo_capture::{SettleWindow, SignedDuration};
    ///
    /// assert!(SettleWindow::new(SignedDuration::from_secs(1)).is_ok());
    /// let refused = SettleWindow::new(SignedDuration::from_secs(-1)).unwrap_err();
    /// assert_eq!(refused.code(), "settle_window_not_positive");
    /// ```
    pub fn new(duration: SignedDuration) -> Result<SettleWindow, SettleWindowError> {
        if duration.is_positive() {
            Ok(SettleWindow(duration))
        } else {
            Err(SettleWindowError(duration))
        }
    }

    /// The window's length.
    ///
    /// ```
    /// use dojo_capture::SettleWindow;
    ///
    /// assert_eq!(SettleWindow::default().duration().as_secs(), 15 * 60);
    /// ```
    pub fn duration(self) -> SignedDuration {
        self.0
    }

    /// The horizon of a loss first seen by a read that started at
    /// `seen_at`; saturates at the last representable time rather than
    /// wrap to an earlier one.
    pub(crate) fn horizon(self, seen_at: Timestamp) -> Timestamp {
        seen_at.saturating_add(self.0).unwrap_or(Timestamp::MAX)
    }
}

impl Default for SettleWindow {
    fn default() -> Self {
        SettleWindow::DEFAULT
    }
}

/// A settle window of zero or less ([`SettleWindow::new`]).
///
/// ```
/// use dojo_capture::{SettleWindow, SignedDuration};
///
/// let error = SettleWindow::new(SignedDuration::from_mins(-2)).unwrap_err();
/// assert_eq!(error.code(), "settle_window_not_positive");
/// assert_eq!(error.to_string(), "a settle window must be longer than zero, not -120s");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SettleWindowError(SignedDuration);

impl SettleWindowError {
    /// The stable code: `settle_window_not_positive`.
    ///
    /// ```
    /// # use dojo_capture::{SettleWindow, SignedDuration};
    /// let error = SettleWindow::new(SignedDuration::ZERO).unwrap_err();
    /// assert_eq!(error.code(), "settle_window_not_positive");
    /// ```
    pub fn code(&self) -> &'static str {
        "settle_window_not_positive"
    }
}

impl fmt::Display for SettleWindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a settle window must be longer than zero, not {}s",
            self.0.as_secs()
        )
    }
}

crate::error::debug_code_and_message!(SettleWindowError);

impl std::error::Error for SettleWindowError {}

/// When a fresh read began, as the caller's clock tells it, and the window
/// its releases are judged with ([D22](crate::decisions#d22)).
///
/// A read is started *before* its request is sent: the time is taken then,
/// so that a request still in flight when the read was answered cannot be
/// mistaken for one that never landed.
///
/// ```
/// use dojo_capture::{ReadStart, SettleWindow, Timestamp};
///
/// let at: Timestamp = "2024-07-25T10:00:00Z".parse()?;
/// let read = ReadStart::at(at);
/// assert_eq!(read.started_at(), Some(at));
/// assert_eq!(read.settle_window(), SettleWindow::DEFAULT);
/// assert_eq!(ReadStart::unknown().started_at(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadStart {
    started_at: Option<Timestamp>,
    window: SettleWindow,
}

impl ReadStart {
    /// A read whose request was sent at `started_at` or later, judged with
    /// the default window.
    ///
    /// ```
    /// use dojo_capture::ReadStart;
    ///
    /// let read = ReadStart::at("2024-07-25T10:00:00Z".parse()?);
    /// assert!(read.started_at().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn at(started_at: Timestamp) -> ReadStart {
        ReadStart {
            started_at: Some(started_at),
            window: SettleWindow::DEFAULT,
        }
    }

    /// A read whose start is not known (a snapshot from a log, a read
    /// passed on by another system): it binds and applies what it shows
    /// and releases nothing.
    ///
    /// ```
    /// use dojo_capture::ReadStart;
    ///
    /// assert_eq!(ReadStart::unknown().started_at(), None);
    /// ```
    pub fn unknown() -> ReadStart {
        ReadStart {
            started_at: None,
            window: SettleWindow::DEFAULT,
        }
    }

    /// The same read, judged with `window` instead of the default.
    ///
    /// ```
    /// use dojo_capture::{ReadStart, SettleWindow, SignedDuration};
    ///
    /// let window = SettleWindow::new(SignedDuration::from_mins(5))?;
    /// let read = ReadStart::at("2024-07-25T10:00:00Z".parse()?).with_settle_window(window);
    /// assert_eq!(read.settle_window(), window);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_settle_window(self, window: SettleWindow) -> ReadStart {
        ReadStart { window, ..self }
    }

    /// When the read began, if known.
    ///
    /// ```
    /// use dojo_capture::ReadStart;
    ///
    /// assert_eq!(ReadStart::unknown().started_at(), None);
    /// ```
    pub fn started_at(self) -> Option<Timestamp> {
        self.started_at
    }

    /// The window releases are judged with.
    ///
    /// ```
    /// use dojo_capture::{ReadStart, SettleWindow};
    ///
    /// assert_eq!(ReadStart::unknown().settle_window(), SettleWindow::DEFAULT);
    /// ```
    pub fn settle_window(self) -> SettleWindow {
        self.window
    }
}

/// What a read that does not show an operation of unknown outcome does
/// with it: the one rule of [D22](crate::decisions#d22), written once for
/// captures, refunds and operations on the whole intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unseen {
    /// The read began after the horizon: the request can no longer land.
    Release,
    /// Still possibly in flight; the horizon to keep (set now when the
    /// operation had none).
    Keep(Option<Timestamp>),
}

/// Judges an operation of unknown outcome that `read` does not show, given
/// its horizon so far.
pub(crate) fn unseen(horizon: Option<Timestamp>, read: ReadStart) -> Unseen {
    match (horizon, read.started_at) {
        // Strictly after: a read that began at the horizon itself could
        // still cross a request sent at the last moment.
        (Some(horizon), Some(started)) if started > horizon => Unseen::Release,
        (Some(horizon), _) => Unseen::Keep(Some(horizon)),
        // The first read that misses it starts the window: it began after
        // the answer was declared lost, so its start is a conservative
        // stand-in for that moment.
        (None, Some(started)) => Unseen::Keep(Some(read.window.horizon(started))),
        (None, None) => Unseen::Keep(None),
    }
}
