//! Rate budgets: how many requests a client (and all its clones) may send per period, preset per
//! provider from its documented limits, on `governor`'s GCRA limiter; and an adaptive pace that a
//! 429 slows down and that recovers gradually, so clients sharing an account settle under the
//! limit instead of bouncing off it (the idea of the AWS SDKs' "adaptive" retry mode).

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use tokio::time::Instant;

use crate::config::ConfigError;

/// At most `requests` requests per `per`, whichever way the provider counts them (a sliding window
/// included). Requests are spread evenly, with a small allowance (at most a fortieth of
/// `requests`, between 1 and 10) that lets a request whose turn came while its task was waking up
/// go without losing the turn; the pace is lowered by that allowance, so that the allowance never
/// takes a window of length `per` past `requests`. (A burst allowance on top of the full pace
/// overshoots a sliding window as soon as the client has waited, after a 429 say: measured in the
/// drain benchmark.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per period.
    pub requests: u32,
    /// The period.
    pub per: Duration,
}

impl Quota {
    /// `requests` per second.
    pub const fn per_second(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::from_secs(1),
        }
    }

    /// `requests` per minute.
    pub const fn per_minute(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::from_secs(60),
        }
    }

    /// `requests` per day.
    pub const fn per_day(requests: u32) -> Self {
        Self {
            requests,
            per: Duration::from_secs(24 * 60 * 60),
        }
    }

    /// Requests per second this quota allows in the long run.
    fn rate(&self) -> f64 {
        f64::from(self.requests) / self.per.as_secs_f64()
    }

    fn governor(&self) -> Result<governor::Quota, ConfigError> {
        let invalid = ConfigError::RateLimit {
            reason: "a quota needs at least one request in a period longer than zero",
        };
        let burst = (self.requests / 40).clamp(1, 10);
        let paced = self
            .requests
            .checked_sub(burst - 1)
            .filter(|n| *n > 0)
            .ok_or(invalid.clone())?;
        let quota = governor::Quota::with_period(self.per / paced).ok_or(invalid)?;
        Ok(quota.allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN)))
    }
}

/// How fast a client may send: the budgets every request spends from, extra budgets of single
/// operations, and whether throttling answers slow the client down.
///
/// A client and its clones share their budgets. Waiting for budget counts against the call's
/// deadline: a call that cannot get budget in time fails before sending, with
/// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) and nothing sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Budgets every request spends from (all must allow it).
    pub shared: Vec<Quota>,
    /// Extra budgets for one operation (by the spec's `operationId`), spent besides `shared`.
    pub per_operation: Vec<(&'static str, Quota)>,
    /// After a 429, pace requests at half the rate last allowed, then speed up gradually while
    /// answers succeed, up to the tightest shared quota.
    pub adaptive: bool,
}

impl RateLimits {
    /// No limit: requests go out as fast as the caller makes them.
    pub fn none() -> Self {
        Self {
            shared: Vec::new(),
            per_operation: Vec::new(),
            adaptive: false,
        }
    }

    /// Adaptive budgets of `shared` quotas.
    pub fn shared(shared: impl Into<Vec<Quota>>) -> Self {
        Self {
            shared: shared.into(),
            per_operation: Vec::new(),
            adaptive: true,
        }
    }

    /// Adds a budget for one operation.
    #[must_use]
    pub fn with_operation(mut self, operation_id: &'static str, quota: Quota) -> Self {
        self.per_operation.push((operation_id, quota));
        self
    }
}

/// `governor`'s clock on Tokio's time, so that a paused Tokio clock (in tests) drives the budgets.
#[derive(Clone, Copy, Debug, Default)]
struct TokioClock;

impl Clock for TokioClock {
    type Instant = std::time::Instant;

    fn now(&self) -> std::time::Instant {
        Instant::now().into_std()
    }
}

type Limiter = governor::RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<std::time::Instant>>;

/// The adaptive pace: a minimum gap between request starts, widened by throttling answers.
#[derive(Debug)]
struct Pace {
    /// The rate the quotas allow, requests per second.
    nominal: f64,
    /// The rate currently allowed; `None` while not throttled.
    current: Option<f64>,
    /// When the next request may start.
    next: Instant,
    /// When the pace was last lowered: the 429s of requests already in flight then say nothing
    /// new, so one burst of them lowers it once.
    lowered_at: Option<Instant>,
}

/// The lowest pace a run of 429s can bring a client to: one request per 10 s.
const MIN_RATE: f64 = 0.1;
/// A throttling answer lowers the allowed rate to this share (the AWS SDKs' adaptive mode uses
/// 0.7 too).
const THROTTLE_FACTOR: f64 = 0.7;
/// Throttling answers within this long of a decrease do not lower the rate again.
const THROTTLE_QUIET: Duration = Duration::from_secs(1);
/// Each success raises the allowed rate by this share of the nominal rate.
const RECOVERY_STEP: f64 = 0.01;

/// The budgets of one client, shared by its clones.
pub(crate) struct Budgets {
    shared: Vec<Limiter>,
    per_operation: Vec<(&'static str, Limiter)>,
    pace: Option<Mutex<Pace>>,
}

impl std::fmt::Debug for Budgets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budgets")
            .field("shared", &self.shared.len())
            .field("per_operation", &self.per_operation.len())
            .field("adaptive", &self.pace.is_some())
            .finish()
    }
}

/// Why a request got no budget in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NoBudgetInTime {
    /// How long the budget would have made the request wait.
    pub wait: Duration,
}

impl Budgets {
    pub(crate) fn new(limits: &RateLimits) -> Result<Self, ConfigError> {
        let limiter = |quota: &Quota| Ok::<_, ConfigError>(Limiter::direct_with_clock(quota.governor()?, TokioClock));
        let shared = limits.shared.iter().map(limiter).collect::<Result<Vec<_>, _>>()?;
        let per_operation = limits
            .per_operation
            .iter()
            .map(|(operation, quota)| Ok::<_, ConfigError>((*operation, limiter(quota)?)))
            .collect::<Result<Vec<_>, _>>()?;
        let nominal = limits.shared.iter().map(Quota::rate).reduce(f64::min);
        let pace = match nominal {
            Some(nominal) if limits.adaptive => Some(Mutex::new(Pace {
                nominal,
                current: None,
                next: Instant::now(),
                lowered_at: None,
            })),
            _ => None,
        };
        Ok(Self {
            shared,
            per_operation,
            pace,
        })
    }

    /// Whether there is no budget at all (no quota, no adaptive pace): every request may go now.
    pub(crate) fn is_unlimited(&self) -> bool {
        self.shared.is_empty() && self.per_operation.is_empty() && self.pace.is_none()
    }

    /// Waits until every budget of `operation_id` allows one more request, unless that would take
    /// longer than `remaining`. Returns how long it waited. The clock is read only when a budget
    /// makes it wait.
    pub(crate) async fn acquire(&self, operation_id: &str, remaining: Duration) -> Result<Duration, NoBudgetInTime> {
        let mut started: Option<Instant> = None;
        let limiters = self.shared.iter().chain(
            self.per_operation
                .iter()
                .filter(|(op, _)| *op == operation_id)
                .map(|(_, l)| l),
        );
        for limiter in limiters {
            loop {
                match limiter.check() {
                    Ok(()) => break,
                    Err(not_until) => {
                        let wait = not_until.wait_time_from(TokioClock.now());
                        let started = *started.get_or_insert_with(Instant::now);
                        if started.elapsed() + wait > remaining {
                            return Err(NoBudgetInTime { wait });
                        }
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        if let Some(pace) = &self.pace {
            let now = Instant::now();
            let started = *started.get_or_insert(now);
            let wait = match pace.lock() {
                Ok(mut pace) => pace.reserve(now),
                Err(_) => Duration::ZERO,
            };
            if now.duration_since(started) + wait > remaining {
                return Err(NoBudgetInTime { wait });
            }
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        Ok(started.map_or(Duration::ZERO, |started| started.elapsed()))
    }

    /// Tells the adaptive pace what the server answered.
    pub(crate) fn observe(&self, throttled: bool) {
        if let Some(pace) = &self.pace
            && let Ok(mut pace) = pace.lock()
        {
            if throttled {
                pace.throttled(Instant::now());
            } else {
                pace.succeeded();
            }
        }
    }

    /// The rate the adaptive pace allows now, requests per second (`None`: not throttled).
    #[cfg(test)]
    fn current_rate(&self) -> Option<f64> {
        self.pace
            .as_ref()
            .and_then(|pace| pace.lock().ok().and_then(|pace| pace.current))
    }
}

impl Pace {
    /// Reserves the next start slot; returns how long to wait for it.
    fn reserve(&mut self, now: Instant) -> Duration {
        let Some(rate) = self.current else {
            return Duration::ZERO;
        };
        let start = self.next.max(now);
        self.next = start + Duration::from_secs_f64(1.0 / rate);
        start - now
    }

    fn throttled(&mut self, now: Instant) {
        if self
            .lowered_at
            .is_some_and(|at| now.duration_since(at) < THROTTLE_QUIET)
        {
            return;
        }
        let from = self.current.unwrap_or(self.nominal);
        let rate = (from * THROTTLE_FACTOR).max(MIN_RATE);
        tracing::warn!(rate_per_s = rate, "throttled by the provider; slowing down");
        self.current = Some(rate);
        self.lowered_at = Some(now);
    }

    fn succeeded(&mut self) {
        if let Some(rate) = self.current {
            let raised = rate + self.nominal * RECOVERY_STEP;
            self.current = (raised < self.nominal).then_some(raised);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_quota_spreads_requests_and_the_deadline_bounds_the_wait() {
        let budgets = Budgets::new(&RateLimits {
            shared: vec![Quota::per_second(2)],
            per_operation: Vec::new(),
            adaptive: false,
        })
        .unwrap();
        let start = Instant::now();
        // Spread evenly, no burst: the first goes at once, each next one half a second later.
        assert_eq!(budgets.acquire("op", Duration::from_secs(5)).await, Ok(Duration::ZERO));
        let waited = budgets.acquire("op", Duration::from_secs(5)).await.unwrap();
        assert_eq!(waited, Duration::from_millis(500));
        let waited = budgets.acquire("op", Duration::from_secs(5)).await.unwrap();
        assert_eq!(waited, Duration::from_millis(500));
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
        // A wait longer than what is left of the deadline is refused at once, unspent.
        let refused = budgets.acquire("op", Duration::from_millis(100)).await.unwrap_err();
        assert_eq!(refused.wait, Duration::from_millis(500));
        assert_eq!(start.elapsed(), Duration::from_millis(1000), "nothing was waited");
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_of_the_period_holds_more_than_the_quota() {
        let budgets = Budgets::new(&RateLimits {
            shared: vec![Quota::per_second(200)],
            per_operation: Vec::new(),
            adaptive: false,
        })
        .unwrap();
        let start = Instant::now();
        let mut sent = Vec::new();
        for _ in 0..600 {
            budgets.acquire("op", Duration::from_secs(60)).await.unwrap();
            sent.push(start.elapsed());
        }
        // Every sliding one-second window (starting at any send) holds at most 200 sends.
        for (index, at) in sent.iter().enumerate() {
            let within = sent[index..]
                .iter()
                .take_while(|later| **later < *at + Duration::from_secs(1))
                .count();
            assert!(within <= 200, "{within} sends in the second from {at:?}");
        }
        // And the pace is close to the quota: 600 sends take about 3 s.
        let total = sent.last().copied().unwrap_or_default();
        assert!(total <= Duration::from_millis(3050), "{total:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_operation_budget_applies_to_that_operation_only() {
        let budgets = Budgets::new(
            &RateLimits::shared([Quota::per_second(100)]).with_operation("getStatusHistory", Quota::per_minute(1)),
        )
        .unwrap();
        budgets
            .acquire("getStatusHistory", Duration::from_secs(120))
            .await
            .unwrap();
        let waited = budgets
            .acquire("getStatusHistory", Duration::from_secs(120))
            .await
            .unwrap();
        assert_eq!(waited, Duration::from_secs(60));
        assert_eq!(budgets.acquire("sendStatus", Duration::ZERO).await, Ok(Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_lowers_the_pace_once_per_burst_and_successes_recover_it() {
        let budgets = Budgets::new(&RateLimits::shared([Quota::per_second(100)])).unwrap();
        assert_eq!(budgets.current_rate(), None);
        budgets.observe(true);
        assert_eq!(budgets.current_rate(), Some(70.0));
        // The 429s of requests that were already in flight do not lower it again.
        budgets.observe(true);
        budgets.observe(true);
        assert_eq!(budgets.current_rate(), Some(70.0));
        // A second later, a new 429 lowers it again.
        tokio::time::advance(Duration::from_secs(1)).await;
        budgets.observe(true);
        assert_eq!(budgets.current_rate(), Some(49.0));
        // Requests are paced at 49/s on top of the quota.
        budgets.acquire("op", Duration::from_secs(1)).await.unwrap();
        let waited = budgets.acquire("op", Duration::from_secs(1)).await.unwrap();
        assert!(
            waited >= Duration::from_secs_f64(1.0 / 49.0) - Duration::from_millis(1),
            "{waited:?}"
        );
        // Each success adds 1 % of the nominal rate, until the pace is lifted.
        budgets.observe(false);
        assert_eq!(budgets.current_rate(), Some(50.0));
        for _ in 0..60 {
            budgets.observe(false);
        }
        assert_eq!(budgets.current_rate(), None);
        // Never below one request per 10 s.
        for _ in 0..40 {
            tokio::time::advance(Duration::from_secs(1)).await;
            budgets.observe(true);
        }
        assert_eq!(budgets.current_rate(), Some(MIN_RATE));
    }

    #[test]
    fn an_empty_quota_is_refused() {
        let error = Budgets::new(&RateLimits::shared([Quota::per_second(0)])).unwrap_err();
        assert!(matches!(error, ConfigError::RateLimit { .. }));
        let none = Budgets::new(&RateLimits::none()).unwrap();
        assert!(none.pace.is_none() && none.shared.is_empty());
    }
}
