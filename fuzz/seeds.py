"""Writes the hand-written seeds of the structured targets (op_sequence, record_answer,
check_command), of webhook_verify, and of audit_line (the lines of the example histories):
`python3 fuzz/seeds.py fuzz/corpus`.

Random bytes rarely decode to a meaningful scenario, so each seed here is one
named scenario (a replay, a conflict, a deadline edge, a DST change, int64
edges), encoded as `arbitrary` 1.x decodes the input types of fuzz/src/lib.rs:
an enum tag is a little-endian u32 scaled by the variant count, a bool is
byte & 1, `int_in_range` reads big-endian bytes modulo the range, and a
trailing Vec is a continue-byte before each element. The layout follows the
field order of those types and of src/arbitrary_impls.rs: reordering a field
or variant there changes what these bytes mean (the replay test still passes,
the seeds just say something else), so regenerate them after such a change.
"""
import hashlib, hmac, struct, os, sys
out = sys.argv[1]
def u8(v): return bytes([v & 0xff])
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def i32(v): return struct.pack('<i', v)
def b(v): return u8(1 if v else 0)
def tag(k, c): return u32(-(-(k << 32) // c))
CUR = {'GBP': 0, 'EUR': 1, 'JPY': 2, 'BHD': 3, 'CLF': 4}
def money(code, minor):
    cur = u8(0) + u8(CUR[code])
    if minor == 0: return cur + u8(0)
    if minor == 1: return cur + u8(1)
    if minor <= 10000: return cur + u8(2) + struct.pack('>H', minor)
    d = 2**63 - 1 - minor
    assert 0 <= d <= 1000
    return cur + u8(3) + struct.pack('>H', d)
# AmountPick
def cap(): return tag(0, 8)
def cap1(): return tag(1, 8)
def ref(): return tag(2, 8)
def ref1(): return tag(3, 8)
def half(): return tag(4, 8)
def amt(): return tag(5, 8)
def mnr(n): return tag(6, 8) + u16(n)
def anym(code, n): return tag(7, 8) + money(code, n)
def pool(n): return tag(0, 2) + u8(n)
S = 10
def authorize(): return tag(0, S)
def capture(i, a, tips=None): return tag(1, S) + pool(i) + a + (b(1) + tips if tips else b(0))
OUT = {'ok': 0, 'declined': 1, 'failed': 2}
def settle(i, o): return tag(2, S) + pool(i) + u8(OUT[o])
def refund(k, a): return tag(3, S) + pool(k) + a
def reverse(): return tag(4, S)
def cancel(): return tag(5, S)
def change(a): return tag(6, S) + a
def secs(n): return tag(7, S) + tag(0, 6) + u16(n)
def hours(n): return tag(7, S) + tag(1, 6) + u8(n)
def days(n): return tag(7, S) + tag(2, 6) + u8(n)
def deadline(off): return tag(7, S) + tag(3, 6) + struct.pack('<b', off)
def next_hour(before): return tag(7, S) + tag(4, 6) + b(before)
def past7(): return tag(7, S) + tag(5, 6)
def rehydrate(): return tag(8, S)
def check(op): return tag(9, S) + op
def op_capture(m): return u8(0) + m
def op_refund(m): return u8(1) + m
def op_reverse(): return u8(2)
def op_cancel(): return u8(3)
def op_change(m): return u8(4) + m
def seq(name, steps, start=17_280_000, amount=money('GBP', 1000), manual=True, custom=False, expiry=None, wire=None):
    data = u32(start) + amount + b(manual) + b(custom)
    data += (b(1) + u32(expiry[0]) + u32(expiry[1]) + b(expiry[2])) if expiry else b(0)
    data += b(0)  # no intent id
    data += (b(1) + wire) if wire else b(0)
    for s in steps: data += b(1) + s
    data += b(0)
    os.makedirs(f'{out}/op_sequence', exist_ok=True)
    open(f'{out}/op_sequence/seed-{name}', 'wb').write(data)

seq('manual-partial-captures-then-refunds', [authorize(), capture(0, mnr(600)), settle(0, 'ok'),
    capture(1, cap()), settle(1, 'ok'), capture(2, mnr(1)), refund(0, mnr(250)), refund(0, mnr(250)),
    refund(0, mnr(300)), refund(1, ref()), refund(2, mnr(1)), capture(3, mnr(1))])
seq('manual-in-flight-reservation', [authorize(), capture(0, half()), capture(1, amt()),
    capture(0, half()), capture(0, mnr(1)), settle(0, 'declined'), settle(0, 'ok'), capture(1, amt()),
    settle(1, 'failed'), capture(2, cap1()), capture(2, cap()), settle(2, 'ok'), settle(3, 'ok')])
seq('manual-tips-replay-and-conflict', [authorize(), capture(0, mnr(500), mnr(100)),
    capture(0, mnr(500), mnr(100)), capture(0, mnr(500)), capture(0, mnr(500), anym('EUR', 100)),
    capture(1, mnr(100), anym('EUR', 5)), settle(0, 'ok')])
seq('manual-deadline-edges', [authorize(), deadline(-1), capture(0, mnr(1)), settle(0, 'failed'),
    deadline(-1), reverse(), deadline(0), capture(1, mnr(1)), reverse(), deadline(1), capture(1, mnr(1))])
seq('manual-reverse-after-capture-in-flight', [authorize(), capture(0, mnr(100)), reverse(),
    settle(0, 'failed'), reverse(), capture(1, mnr(1)), refund(0, mnr(1)), reverse(), cancel()])
seq('manual-past-seven-days', [authorize(), days(6), hours(23), capture(0, mnr(10)), past7(),
    capture(1, mnr(10)), reverse(), settle(0, 'ok'), refund(0, ref())])
seq('manual-auto-expire-in', [authorize(), secs(3599), capture(0, mnr(1)), secs(1), capture(1, mnr(1)),
    reverse()], expiry=(3600, 0, True))
seq('manual-auto-expire-out-of-bounds', [authorize(), capture(0, amt())], expiry=(30, 0, False))
seq('auto-same-day-reversal', [authorize(), capture(0, mnr(1)), reverse(), reverse(), refund(0, mnr(1))],
    manual=False)
seq('auto-next-london-day', [authorize(), next_hour(True), reverse(), next_hour(False), reverse(),
    hours(23), reverse(), refund(0, ref1()), refund(0, ref()), reverse()], manual=False)
seq('auto-across-dst-start', [authorize(), next_hour(False), next_hour(True), reverse()],
    start=90 * 86_400 - 1800, manual=False)  # 2024-03-30T23:30Z; DST starts 2024-03-31T01:00Z
seq('created-change-amount-then-cancel', [change(mnr(500)), change(mnr(0)), change(anym('EUR', 500)),
    capture(0, mnr(1)), refund(0, mnr(1)), reverse(), cancel(), cancel(), authorize(), change(mnr(1))],
    custom=True)
seq('created-change-amount-not-allowed', [change(mnr(500)), authorize(), change(mnr(500))])
seq('int64-edge-bhd', [authorize(), capture(0, cap()), settle(0, 'ok'), capture(1, mnr(1)),
    refund(0, ref1()), refund(0, ref()), refund(1, mnr(1))], amount=money('BHD', 2**63 - 1))
seq('jpy-one-unit', [authorize(), capture(0, amt()), settle(0, 'ok'), refund(0, mnr(1)), refund(1, mnr(1))],
    amount=money('JPY', 1))
seq('zero-amount-intent', [authorize(), capture(0, cap()), capture(0, mnr(1)), reverse()],
    amount=money('CLF', 0))
seq('rehydrate-forgets-refund-keys', [authorize(), capture(0, amt()), settle(0, 'ok'), rehydrate(),
    refund(0, mnr(100)), refund(0, mnr(100)), rehydrate(), refund(0, mnr(100)), settle(0, 'ok'),
    settle(0, 'declined'), rehydrate()])
seq('check-agrees-in-every-state', [check(op_capture(money('GBP', 1))), check(op_cancel()),
    check(op_change(money('GBP', 5))), authorize(), check(op_capture(money('GBP', 1000))),
    check(op_capture(money('GBP', 1001))), check(op_capture(money('EUR', 1))), check(op_reverse()),
    capture(0, mnr(400)), settle(0, 'ok'), check(op_refund(money('GBP', 400))),
    check(op_refund(money('GBP', 401))), check(op_refund(money('GBP', 0))), refund(0, mnr(1)),
    check(op_capture(money('GBP', 1))), check(op_reverse()), check(op_cancel())])

# BuiltIntent: status index, captureMode, amount, refundedAmount, captures[],
# payment time (seconds after 2024-07-25T08:49:20Z), autoExpireIn, customAmountAllowed,
# the intent's tipsAmount, createdAt (seconds after the same instant), then the
# Spelling: BOM, bare timestamps, empty transactionDateTime, captures' createdAt,
# an unknown enum word (0 status, 1 captureMode, 2 autoExpireAction, 3 captures[0].status).
STATUS = ['Created', 'Authorized', 'Captured', 'Refunded', 'Reversed', 'Canceled']
CSTATUS = ['Created', 'Successful', 'Declined', 'Failed']
# Capture ids: 0-3 index the fuzz id pool (cp_a..cp_d), 4 is no id, 5 is "id": null.
NO_ID, NULL_ID = 4, 5
EXPIRE = ['00:00:30', '00:00:30.0000001', '01:00:00', '06.23:59:59.9999999', '07.00:00:00', '1.2:3']
def i64(v): return struct.pack('<q', v)
def opt(v, enc): return b(0) if v is None else b(1) + enc(v)
def built(status, manual, amount, captures=(), refunded=None, paid=0, expiry=None, custom=None,
          tips=None, created=None, bom=False, bare=False, empty_tx=False, capture_times=False,
          unknown=None):
    data = u8(STATUS.index(status)) + opt(manual, b) + amount + opt(refunded, i64)
    for c in captures:
        (i, minor, st), ctips = c[:3], (c[3] if len(c) > 3 else None)
        data += b(1) + u8(i) + i64(minor) + opt(ctips, i64) + u8(CSTATUS.index(st))
    data += b(0) + opt(paid, i32)
    data += opt(expiry, lambda e: u8(EXPIRE.index(e[0])) + opt(e[1], b))
    data += opt(custom, b) + opt(tips, u16) + opt(created, i32)
    data += b(bom) + b(bare) + b(empty_tx) + b(capture_times) + opt(unknown, u8)
    return data
# Starts from wire-only states. 17_280_000 s after 2024-01-01 is 2024-07-19;
# 17_800_000 is 2024-07-25T00:26:40Z, the payment day of the built intents.
# The capture in flight must not settle on the Reversed intent (the fuzzer found
# the runtime enum accepting it: fuzz/regressions/op_sequence/).
seq('wire-auto-reversed-with-capture-in-flight', [settle(0, 'ok'), settle(0, 'declined'), refund(0, mnr(1)),
    capture(1, mnr(1)), reverse(), check(op_cancel())], start=17_800_000,
    wire=built('Reversed', False, money('GBP', 1000), [(0, 100, 'Created')]))
seq('wire-auto-still-authorized', [capture(0, mnr(1)), reverse(), refund(0, mnr(1)), settle(0, 'ok')],
    start=17_800_000, wire=built('Authorized', False, money('GBP', 1000)))
seq('wire-manual-partial-capture-reported-authorized', [capture(2, cap()), capture(2, cap()),
    settle(1, 'ok'), settle(2, 'failed'), refund(0, ref()), settle(1, 'ok'), capture(3, mnr(1))],
    start=17_800_000,
    wire=built('Authorized', True, money('GBP', 1000), [(0, 400, 'Successful'), (1, 100, 'Created')]))
seq('wire-refunded-with-capture-in-flight', [settle(1, 'ok'), refund(0, ref()), refund(0, ref()),
    rehydrate(), refund(0, mnr(1)), settle(1, 'declined')], start=17_800_000,
    wire=built('Refunded', True, money('EUR', 1000), [(0, 400, 'Successful'), (1, 100, 'Created')], refunded=300))

# The shapes of Dojo's real JSON that D13-D20 decide, each with the operations
# that turn on it. The payment is at 08:49:20Z on the start's day.
GBP1000 = money('GBP', 1000)
def wire_seq(name, steps, wire, **kw):
    seq(name, steps, start=17_800_000, wire=wire, **kw)
wire_seq('wire-d13-captured-with-partial-refund', [capture(1, mnr(1)), refund(0, ref1()), refund(0, ref()),
    refund(1, mnr(1)), rehydrate(), check(op_refund(money('GBP', 1)))],
    built('Captured', True, GBP1000, [(0, 600, 'Successful')], refunded=100))
wire_seq('wire-d13-authorized-with-refund-and-capture-in-flight', [capture(2, mnr(1)), settle(1, 'ok'),
    refund(0, ref()), refund(1, mnr(1)), rehydrate()],
    built('Authorized', True, GBP1000, [(0, 400, 'Successful'), (1, 100, 'Created')], refunded=50))
wire_seq('wire-d14-auto-intent-tips-refundable', [refund(0, ref1()), refund(0, ref()), refund(1, mnr(1)),
    reverse(), rehydrate(), check(op_refund(money('GBP', 1)))],
    built('Captured', False, GBP1000, tips=150))
wire_seq('wire-d14-capture-tips-refunded-beyond-amount', [refund(0, ref1()), refund(0, ref()),
    capture(1, mnr(1)), rehydrate()],
    built('Refunded', True, GBP1000, [(0, 1000, 'Successful', 200)], refunded=1100, tips=999))
wire_seq('wire-d15-bare-times-empty-transaction-bom', [capture(1, mnr(1)), deadline(-1), capture(2, mnr(1)),
    deadline(0), capture(3, mnr(1)), settle(0, 'ok'), rehydrate(), refund(0, ref())],
    built('Authorized', True, GBP1000, [(0, 300, 'Created')], paid=None, created=0, bom=True,
          bare=True, empty_tx=True, capture_times=True))
wire_seq('wire-d16-captures-without-ids', [settle(0, 'ok'), capture(0, cap()), capture(0, cap()), settle(0, 'ok'),
    rehydrate(), reverse(), refund(0, ref())],
    built('Authorized', True, GBP1000, [(NULL_ID, 300, 'Created'), (NO_ID, 200, 'Successful', 0),
                                         (NULL_ID, 100, 'Declined')]))
wire_seq('wire-d17-manual-captured-at-expiry', [capture(0, mnr(1)), reverse(), refund(0, ref1()), refund(0, ref()),
    rehydrate(), capture(1, mnr(1))],
    built('Captured', True, GBP1000, expiry=('01:00:00', True), tips=100))
wire_seq('wire-d17-manual-refunded-at-expiry', [capture(0, mnr(1)), refund(0, ref()), refund(1, mnr(1))],
    built('Refunded', True, GBP1000, refunded=400, expiry=('01:00:00', True)))
wire_seq('wire-d17-captured-with-only-a-capture-in-flight', [capture(1, mnr(1)), reverse(), refund(0, mnr(1)),
    settle(0, 'declined'), capture(1, amt()), settle(1, 'ok'), refund(0, ref())],
    built('Captured', True, GBP1000, [(0, 1000, 'Created')]))
wire_seq('wire-d17-manual-reversed-after-capture', [capture(2, mnr(1)), settle(0, 'ok'), settle(0, 'failed'),
    reverse(), refund(0, ref1()), refund(0, mnr(100)), capture(2, mnr(1)), rehydrate(), refund(1, ref())],
    built('Reversed', True, GBP1000, [(0, 400, 'Successful', 50), (1, 100, 'Declined')]))
wire_seq('wire-d17-manual-reversed-after-capture-refunded', [capture(2, mnr(1)), refund(0, ref()), rehydrate(),
    refund(1, mnr(1))],
    built('Reversed', True, GBP1000, [(0, 400, 'Successful', 50), (NULL_ID, 200, 'Successful')], refunded=150))
wire_seq('wire-d18-zero-tip-is-no-tip', [capture(0, mnr(500)), capture(0, mnr(500), mnr(0)),
    capture(0, mnr(500), mnr(1)), settle(0, 'ok'), rehydrate(), capture(0, mnr(500)), refund(0, ref())],
    built('Authorized', True, GBP1000, [(0, 500, 'Created', 0)], tips=0))
wire_seq('wire-d19-zero-amount-refused', [authorize(), capture(0, mnr(1))],
    built('Captured', True, money('GBP', 0), [(0, 1, 'Successful')]))
wire_seq('wire-d20-unknown-capture-status', [authorize()],
    built('Authorized', True, GBP1000, [(0, 500, 'Created')], unknown=3))
wire_seq('wire-d20-unknown-auto-expire-action-with-bom', [authorize()],
    built('Authorized', True, GBP1000, expiry=('01:00:00', False), unknown=2, bom=True))

# check_command: CheckInput { intent, operation, amount, now }
EXAMPLES = ['auto-captured', 'canceled', 'created-custom-amount', 'created-fixed-amount',
            'manual-authorized', 'manual-auto-expire', 'manual-fresh', 'manual-refunded', 'manual-reversed']
WORDS = ['capture', 'refund', 'reverse', 'cancel', 'change-amount']
def cmd(name, example, word, amount, now_secs):
    data = tag(0, 3) + u8(EXAMPLES.index(example)) + tag(0, 2) + u8(WORDS.index(word))
    if amount is None: data += b(0)
    else:
        kind, pick = amount
        data += b(1) + tag({'plain': 0, 'code': 1}[kind], 3) + pick
    data += tag(0, 2) + i32(now_secs)
    os.makedirs(f'{out}/check_command', exist_ok=True)
    open(f'{out}/check_command/seed-{name}', 'wb').write(data)
DAY = 86_400
cmd('manual-authorized-capture-capturable', 'manual-authorized', 'capture', ('plain', cap()), DAY)
cmd('manual-authorized-capture-one-too-many', 'manual-authorized', 'capture', ('plain', cap1()), DAY)
cmd('manual-authorized-capture-with-code', 'manual-authorized', 'capture', ('code', cap()), 60)
cmd('manual-authorized-capture-in-euros', 'manual-authorized', 'capture', ('code', anym('EUR', 100)), 60)
cmd('manual-authorized-capture-expired', 'manual-authorized', 'capture', ('plain', mnr(1)), 7 * DAY)
cmd('manual-authorized-capture-no-amount', 'manual-authorized', 'capture', None, DAY)
cmd('manual-authorized-refund-refundable', 'manual-authorized', 'refund', ('plain', ref()), DAY)
cmd('manual-authorized-refund-too-much', 'manual-authorized', 'refund', ('plain', ref1()), DAY)
cmd('manual-authorized-reverse-in-flight', 'manual-authorized', 'reverse', None, DAY)
cmd('manual-fresh-reverse', 'manual-fresh', 'reverse', None, 3600)
cmd('manual-fresh-reverse-with-amount', 'manual-fresh', 'reverse', ('plain', mnr(1)), 3600)
cmd('manual-auto-expire-capture-late', 'manual-auto-expire', 'capture', ('plain', mnr(1)), 2 * DAY)
cmd('manual-refunded-capture', 'manual-refunded', 'capture', ('plain', mnr(1)), 60)
cmd('manual-refunded-refund-rest', 'manual-refunded', 'refund', ('code', ref()), 60)
cmd('manual-reversed-refund', 'manual-reversed', 'refund', ('plain', mnr(1)), 60)
cmd('auto-captured-reverse-same-day', 'auto-captured', 'reverse', None, 60)
cmd('auto-captured-reverse-next-day', 'auto-captured', 'reverse', None, DAY)
cmd('auto-captured-capture', 'auto-captured', 'capture', ('plain', mnr(1)), 60)
cmd('created-custom-change-amount', 'created-custom-amount', 'change-amount', ('plain', mnr(500)), 60)
cmd('created-custom-change-amount-zero', 'created-custom-amount', 'change-amount', ('plain', mnr(0)), 60)
cmd('created-fixed-change-amount', 'created-fixed-amount', 'change-amount', ('code', amt()), 60)
cmd('created-fixed-cancel', 'created-fixed-amount', 'cancel', None, 60)
cmd('canceled-cancel', 'canceled', 'cancel', None, 60)
cmd('canceled-capture', 'canceled', 'capture', ('plain', half()), -60)

# record_answer: RecordAnswerInput { intent, steps }, each step a prepare, an
# answer to an outstanding token (consumed), or a reconcile.
def typed(amount, manual=True, custom=False, tips=False, paid=True):
    return tag(0, 2) + u16(amount) + b(manual) + b(custom) + b(tips) + b(paid)
def wire_intent(data): return tag(1, 2) + data
def prep(op, seconds=60): return tag(0, 3) + op + u16(seconds)
def p_capture(a, tips=None): return tag(0, 6) + a + (b(1) + tips if tips else b(0))
def p_refund(k, a): return tag(1, 6) + u8(k) + a
def p_reversal(): return tag(2, 6)
def p_cancel(): return tag(3, 6)
def p_change_amount(a): return tag(4, 6) + a
def p_change_tips(a): return tag(5, 6) + a
def raw_bytes(data): return b''.join(b(1) + u8(x) for x in data) + b(0)
# Bodies. Id fields: 0 the one the operation expects, 1 captureId, 2 refundId, 3 reversalId.
# Ids: ANSWER_ID_POOL = cp_a, cp_b, rf_1, rv_1.
def idtext(n): return tag(0, 2) + u8(n)
def body_id(n, field=0): return tag(0, 5) + u8(field) + idtext(n)
def body_intent(agrees): return tag(1, 5) + b(agrees)
def body_problem(): return tag(2, 5) + b(0) + b(0)
def body_empty(): return tag(3, 5)
def body_raw(data): return tag(4, 5) + raw_bytes(data)
def ok(n): return tag(0, 4) + u8(n)          # 200 + n
def client(n): return tag(1, 4) + u8(n)      # 400 + n
def server(n): return tag(2, 4) + u8(n)      # 500 + n
def status(n): return tag(3, 4) + u16(n)     # any u16
def answer(token, st, body, bom=False): return tag(1, 3) + u8(token) + tag(0, 2) + st + body + b(bom)
def timeout(token): return tag(1, 3) + u8(token) + tag(1, 2)
def read_own(): return tag(2, 3) + tag(0, 3)
def read_with_capture(n, a, cstatus, created=None):
    return tag(2, 3) + tag(1, 3) + idtext(n) + a + u8(CSTATUS.index(cstatus)) + opt(created, u16)
def read_raw(data): return tag(2, 3) + tag(2, 3) + raw_bytes(data)
def ra(name, intent, steps):
    data = intent + b''.join(b(1) + s for s in steps) + b(0)
    os.makedirs(f'{out}/record_answer', exist_ok=True)
    open(f'{out}/record_answer/seed-{name}', 'wb').write(data)
ra('capture-201-binds-then-own-read', typed(1000), [prep(p_capture(mnr(600))),
    answer(0, ok(1), body_id(0)), read_own()])
ra('capture-409-problem-releases-then-retry-with-bom', typed(1000), [prep(p_capture(amt())),
    answer(0, client(9), body_problem()), prep(p_capture(amt())), answer(0, ok(1), body_id(1), bom=True)])
ra('capture-503-read-shows-capture', typed(1000), [prep(p_capture(mnr(600))),
    answer(0, server(3), body_empty()), prep(p_capture(mnr(1))),
    read_with_capture(0, mnr(600), 'Created', 120), prep(p_capture(cap()))])
ra('capture-timeout-read-shows-nothing', typed(1000), [prep(p_capture(half(), mnr(50))), timeout(0),
    read_own(), prep(p_capture(amt())), answer(0, ok(0), body_id(1, field=1))])
ra('capture-2xx-unreadable-bodies', typed(1000), [prep(p_capture(mnr(100))),
    answer(0, ok(0), body_raw(b'{}')), read_raw(b'not json'), read_own(), prep(p_capture(mnr(100))),
    answer(0, ok(4), body_id(2, field=2))])
ra('capture-id-already-recorded', typed(1000), [prep(p_capture(mnr(100))), answer(0, ok(1), body_id(0)),
    prep(p_capture(mnr(100))), answer(0, ok(1), body_id(0)),
    read_with_capture(0, mnr(100), 'Successful')])
ra('capture-odd-statuses', typed(1000), [prep(p_capture(mnr(1))), answer(0, status(302), body_empty()),
    read_own(), prep(p_capture(mnr(1))), answer(0, status(0), body_raw(b'\xef\xbb\xbf')),
    read_own(), prep(p_capture(mnr(1))), answer(0, status(65535), body_problem())])
ra('capture-two-tokens-out-of-order', typed(1000), [prep(p_capture(mnr(300))), prep(p_capture(mnr(400))),
    answer(1, ok(1), body_id(1)), answer(0, server(0), body_empty()),
    read_with_capture(0, mnr(300), 'Created', 60)])
ra('refund-201-and-its-retry-token', typed(1000, manual=False), [prep(p_refund(0, mnr(300))),
    prep(p_refund(0, mnr(300))), answer(0, ok(1), body_id(2)), answer(0, ok(1), body_id(2)),
    prep(p_refund(0, mnr(300))), answer(0, ok(1), body_id(2)), read_own()])
ra('refund-422-then-500-then-retry-201', typed(1000, manual=False), [prep(p_refund(1, ref())),
    answer(0, client(22), body_problem()), prep(p_refund(1, ref())), answer(0, server(0), body_id(2)),
    prep(p_refund(1, mnr(1000))), answer(0, ok(0), body_id(2)), read_own()])
ra('reversal-200-then-capture-refused', typed(1000), [prep(p_reversal()), prep(p_capture(mnr(1))),
    answer(0, ok(0), body_id(3)), read_own()])
ra('reversal-timeout-then-read', typed(1000), [prep(p_reversal()), timeout(0), prep(p_reversal()),
    read_own(), prep(p_reversal()), answer(0, client(4), body_empty())])
ra('cancel-200-intent-agrees', typed(1000, paid=False), [prep(p_cancel()),
    answer(0, ok(0), body_intent(True)), read_own()])
ra('cancel-200-intent-disagrees', typed(1000, paid=False), [prep(p_cancel()),
    answer(0, ok(0), body_intent(False), bom=True), read_own(), prep(p_cancel()), answer(0, ok(4), body_empty())])
ra('change-amount-200-agrees-then-404', typed(1000, custom=True, paid=False), [prep(p_change_amount(mnr(500))),
    answer(0, ok(0), body_intent(True)), prep(p_change_amount(mnr(700))), answer(0, client(4), body_problem()),
    read_own()])
ra('change-tips-200-then-unknown', typed(1000, tips=True, paid=False), [prep(p_change_tips(mnr(150))),
    answer(0, ok(0), body_intent(True)), prep(p_change_tips(mnr(0))), answer(0, status(100), body_empty()),
    read_own()])
ra('wire-authorized-capture-bom-then-raw-read', wire_intent(built('Authorized', True, GBP1000,
    [(0, 200, 'Created')], paid=0)), [prep(p_capture(cap())), answer(0, ok(1), body_id(1), bom=True),
    read_raw(b'{"status":"Authorized"}'), read_own()])

# webhook_verify: a dojo-signature header, a newline, then the body. The secret is the
# one of fuzz/src/lib.rs (Dojo's published example's).
WEBHOOK_SECRET = b'ws_OYsyzcrH70GpJfs8MMkKpg'
DOJO_BODY = (b'{"id":"evt_hnnHxIKR_Uy6bhZCusCltw","event":"payment_intent.created","accountId":"acc_test",'
             b'"createdAt":"2022-02-01T13:07:41.8667859Z","data":{"paymentIntentId":"pi_vpwd4ooAPEqyNAQe4z89WQ",'
             b'"paymentStatus":"Created","captureMode":"Auto"}}')
def dojo_signature(body, secret=WEBHOOK_SECRET):
    return b'sha256=' + '-'.join(f'{b:02X}' for b in hmac.new(secret, body, hashlib.sha256).digest()).encode()
DOJO_HEADER = dojo_signature(DOJO_BODY)
assert DOJO_HEADER == (b'sha256=94-AC-93-67-D6-8B-69-6D-15-A2-C2-45-40-98-B5-E7-64-72-38-C5-1F-6D-32-D0-5F-CB-91-20-'
                       b'A9-20-64-F4'), 'Dojo\'s published example'
def wh(name, header, body):
    os.makedirs(f'{out}/webhook_verify', exist_ok=True)
    open(f'{out}/webhook_verify/seed-{name}', 'wb').write(header + b'\n' + body)
def event(status=b'Captured', created=b'2023-12-13T14:15:01', name=b'payment_intent.status_updated'):
    return (b'{"id":"evt_1","event":"' + name + b'","createdAt":"' + created +
            b'","data":{"paymentIntentId":"pi_1","paymentStatus":"' + status + b'","captureMode":"Manual"}}')
wh('dojo-example', DOJO_HEADER, DOJO_BODY)
wh('dojo-example-lower-case', DOJO_HEADER[:7] + DOJO_HEADER[7:].lower(), DOJO_BODY)
wh('dojo-example-tampered-body', DOJO_HEADER, DOJO_BODY.replace(b'"Created"', b'"Captured"'))
wh('dojo-example-one-nibble', DOJO_HEADER[:-1] + b'5', DOJO_BODY)
wh('dojo-example-truncated-digest', DOJO_HEADER[:-3], DOJO_BODY)
wh('dojo-example-extra-pair', DOJO_HEADER + b'-00', DOJO_BODY)
wh('dojo-example-wrong-scheme', b'sha1=' + DOJO_HEADER[7:], DOJO_BODY)
wh('dojo-example-no-scheme', DOJO_HEADER[7:], DOJO_BODY)
wh('empty-header', b'', DOJO_BODY)
for body_name, body in [
    ('unknown-status', event(status=b'PartiallyCaptured')),
    ('unknown-event-name', event(name=b'payment_intent.refunded')),
    ('bare-created-at', event()),
    ('bad-created-at', event(created=b'yesterday')),
    ('bom', b'\xef\xbb\xbf' + event(status=b'Refunded')),
    ('missing-intent-id', b'{"id":"evt_1","event":"payment_intent.created","data":{}}'),
    ('not-json', b'not json'),
    ('empty', b''),
]:
    wh('signed-' + body_name, dojo_signature(body), body)

# audit_line: each line of the example histories (docs/examples/histories/,
# written by scripts/histories.py) as a seed of its own, and each history
# whole, so that the fuzzer starts from every kind of line and from lines
# that follow one another.
HISTORIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs', 'examples', 'histories')
os.makedirs(f'{out}/audit_line', exist_ok=True)
for name, short in [('history.jsonl', 'clean'), ('history-violations.jsonl', 'violations')]:
    data = open(os.path.join(HISTORIES, name), 'rb').read()
    open(f'{out}/audit_line/seed-{short}-whole', 'wb').write(data)
    for number, line in enumerate(data.splitlines(), 1):
        open(f'{out}/audit_line/seed-{short}-{number:02d}', 'wb').write(line)
