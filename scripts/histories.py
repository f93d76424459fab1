"""Writes the example histories of `dojo-capture audit` and prints the tables of
docs/audit.md that comment them line by line:

    python3 scripts/histories.py docs/examples/histories > /tmp/tables.md

- history.jsonl: a clean history of four interleaved intents (captures, a
  capture with a tip, refunds with a timeout and a safe retry, a change of
  amount and of tip, a cancel, a reversal, a read through GET) with webhook
  deliveries, each signed, several delivered twice. It audits with no finding.
- history-violations.jsonl: a violation of every kind the auditor reports,
  planted one a line (docs/audit.md lists which, and tests/audit.rs asserts
  each line and code).

Webhook deliveries are signed with the test secret SECRET below (never a real
one): audit them with `DOJO_WEBHOOK_SECRETS=ws_history_example_only` and
`--secrets-env DOJO_WEBHOOK_SECRETS`. The output is deterministic: running the
script again gives the same bytes.
"""
import hashlib
import hmac
import json
import os
import sys

SECRET = b'ws_history_example_only'
VERSION = '2025-09-10'


def dumps(value):
    return json.dumps(value, separators=(',', ':'), ensure_ascii=False)


def signature(body, secret=SECRET):
    digest = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return 'sha256=' + '-'.join(f'{b:02X}' for b in digest)


def gbp(minor):
    return {'value': minor, 'currencyCode': 'GBP'}


def intent(pi, status, amount, mode='Manual', created='2024-07-25T09:00:00Z', captures=(),
           refunded=0, payment=None, tips=None):
    body = {'id': pi, 'captureMode': mode, 'status': status, 'amount': gbp(amount),
            'refundedAmount': refunded, 'createdAt': created}
    if tips is not None:
        body['tipsAmount'] = gbp(tips)
    if payment is not None:
        body['config'] = {'payment': payment}
    body['captures'] = [dict(c) for c in captures]
    return body


def capture(cp, amount, status, created, tips=None):
    c = {'id': cp, 'amount': amount, 'status': status, 'createdAt': created}
    if tips is not None:
        c['tipsAmount'] = tips
    return c


def request(method, pi, endpoint, at, body=None, key=None, version=VERSION, extra=None):
    path = f'/payment-intents/{pi}' + (f'/{endpoint}' if endpoint else '')
    headers = {}
    if version is not None:
        headers['version'] = version
    if key is not None:
        headers['idempotencyKey'] = key
    if body is not None:
        headers['content-type'] = 'application/json'
    # What a service's HTTP client adds; the audit does not compare it.
    headers['Authorization'] = 'Basic <redacted>'
    if extra:
        headers.update(extra)
    line = {'request': {'method': method, 'path': path, 'headers': headers}}
    if body is not None:
        line['request']['body'] = body
    line['at'] = at
    return line


def response(pi, method, path, status, body, at):
    inner = {'status': status}
    if body is not None:
        inner['body'] = body
    return {'response': inner, 'paymentIntentId': pi, 'method': method, 'path': path, 'at': at}


def answer_to(req, status, body, at):
    r = req['request']
    return response(r['path'].split('/')[2], r['method'], r['path'], status, body, at)


def event(evt, pi, status, created, name='payment_intent.status_updated', mode='Manual'):
    data = {'paymentIntentId': pi}
    if status is not None:
        data['paymentStatus'] = status
    data['captureMode'] = mode
    return dumps({'id': evt, 'event': name, 'accountId': 'acc_history_example',
                  'createdAt': created, 'data': data})


def delivery(body, at, secret=SECRET):
    return {'webhook': {'headers': {'dojo-signature': signature(body, secret)}, 'body': body},
            'at': at}


class History:
    def __init__(self):
        self.lines = []  # (json text, intent, comment, expected codes)

    def add(self, value, intent, comment, *codes):
        text = value if isinstance(value, str) else dumps(value)
        self.lines.append((text, intent, comment, codes))

    def write(self, path):
        with open(path, 'w', encoding='utf-8', newline='\n') as out:
            for text, _, _, _ in self.lines:
                out.write(text + '\n')

    def table(self, title):
        print(f'#### {title}\n')
        print('| line | intent | finding | what the line is |')
        print('|---|---|---|---|')
        for number, (_, intent, comment, codes) in enumerate(self.lines, 1):
            found = ', '.join(f'`{code}`' for code in codes) if codes else '—'
            print(f'| {number} | {intent or "—"} | {found} | {comment} |')
        print()


def clean():
    h = History()
    A, B, C, D = ('pi_hist_manual_A', 'pi_hist_auto_B', 'pi_hist_created_C',
                  'pi_hist_reversed_D')
    a0 = intent(A, 'Authorized', 1000)
    a_cap1 = capture('cp_hist_A1', 600, 'Successful', '2024-07-25T09:10:01Z')
    a_cap2 = capture('cp_hist_A2', 400, 'Successful', '2024-07-25T10:00:01Z', tips=50)
    b0 = intent(B, 'Captured', 2500, mode='Auto', created='2024-07-25T09:05:00Z')
    b1 = intent(B, 'Refunded', 2500, mode='Auto', created='2024-07-25T09:05:00Z', refunded=1000)
    payment = {'customAmountAllowed': True, 'tipsAllowed': True}
    c0 = intent(C, 'Created', 1200, created='2024-07-25T09:20:00Z', payment=payment)
    c_amount = intent(C, 'Created', 1500, created='2024-07-25T09:20:00Z', payment=payment)
    c_tips = intent(C, 'Created', 1500, created='2024-07-25T09:20:00Z', payment=payment, tips=100)
    c_canceled = intent(C, 'Canceled', 1500, created='2024-07-25T09:20:00Z', payment=payment,
                        tips=100)
    d0 = intent(D, 'Authorized', 800, created='2024-07-25T09:40:00Z')
    d1 = intent(D, 'Reversed', 800, created='2024-07-25T09:40:00Z')

    evt_a_auth = event('evt_hist_A_authorized', A, 'Authorized', '2024-07-25T09:00:02Z')
    evt_a_cap = event('evt_hist_A_captured', A, 'Captured', '2024-07-25T09:10:03Z')
    evt_a_ref = event('evt_hist_A_refunded', A, 'Refunded', '2024-07-25T11:00:04Z')
    evt_b_ref = event('evt_hist_B_refunded', B, 'Refunded', '2024-07-25T12:01:05Z', mode='Auto')
    evt_c_new = event('evt_hist_C_created', C, 'Created', '2024-07-25T09:20:01Z',
                      name='payment_intent.created')
    evt_c_cancel = event('evt_hist_C_canceled', C, 'Canceled', '2024-07-25T09:30:02Z')
    evt_d_rev = event('evt_hist_D_reversed', D, 'Reversed', '2024-07-25T10:00:33Z')
    evt_d_receipt = event('evt_hist_D_receipt', D, None, '2024-07-25T10:00:39Z',
                          name='payment_intent.send-receipt')

    h.add(a0, A, 'read: a Manual intent of 10.00 GBP, authorised')
    h.add(delivery(evt_a_auth, '2024-07-25T09:00:03Z'), A, 'webhook: Authorized, as the intent is')
    h.add(b0, B, 'read: an Auto intent of 25.00 GBP, captured by Dojo')
    r = request('POST', A, 'captures', '2024-07-25T09:10:00Z', body={'amount': 600})
    h.add(r, A, 'request: capture 6.00 GBP, as `prepare_capture` builds it')
    h.add(answer_to(r, 201, {'message': 'Capture created', 'captureId': 'cp_hist_A1'},
                    '2024-07-25T09:10:01Z'), A, 'answer: 201, capture `cp_hist_A1` in flight')
    h.add(delivery(evt_a_cap, '2024-07-25T09:10:04Z'), A, 'webhook: Captured, as Dojo reports a capture in flight')
    h.add(c0, C, 'read: a Created intent of 12.00 GBP that allows custom amounts and tips')
    h.add(delivery(evt_a_cap, '2024-07-25T09:10:34Z'), A, 'webhook: the same event delivered again (a duplicate, not a finding)')
    h.add(delivery(evt_c_new, '2024-07-25T09:20:02Z'), C, 'webhook: payment_intent.created')
    h.add(intent(A, 'Captured', 1000, captures=[a_cap1]), A, 'read: `cp_hist_A1` Successful')
    r = request('POST', C, 'amount', '2024-07-25T09:25:00Z', body={'amount': gbp(1500)})
    h.add(r, C, 'request: change the amount to 15.00 GBP')
    h.add(answer_to(r, 200, c_amount, '2024-07-25T09:25:01Z'), C, 'answer: 200 with the intent of 15.00 GBP')
    r = request('POST', C, 'tips-amount', '2024-07-25T09:26:00Z', body={'tipsAmount': gbp(100)})
    h.add(r, C, 'request: change the tip to 1.00 GBP')
    h.add(answer_to(r, 200, c_tips, '2024-07-25T09:26:01Z'), C, 'answer: 200 with the tip')
    r = request('DELETE', C, None, '2024-07-25T09:30:00Z')
    h.add(r, C, 'request: cancel (`DELETE`, no body)')
    h.add(answer_to(r, 200, c_canceled, '2024-07-25T09:30:01Z'), C, 'answer: 200 with the intent Canceled')
    h.add(delivery(evt_c_cancel, '2024-07-25T09:30:03Z'), C, 'webhook: Canceled')
    h.add(d0, D, 'read: a Manual intent of 8.00 GBP, authorised')
    h.add(c_canceled, C, 'read: Canceled, as recorded')
    h.add(delivery(evt_c_cancel, '2024-07-25T09:31:03Z'), C, 'webhook: Canceled delivered again')
    r = request('POST', A, 'captures', '2024-07-25T10:00:00Z', body={'amount': 400, 'tipsAmount': 50})
    h.add(r, A, 'request: capture the remaining 4.00 GBP with a tip of 0.50 GBP')
    r2 = request('POST', D, 'reversal', '2024-07-25T10:00:30Z')
    h.add(r2, D, 'request: reverse (no body), within the authorisation')
    h.add(answer_to(r, 201, {'message': 'Capture created', 'captureId': 'cp_hist_A2'},
                    '2024-07-25T10:00:01Z'), A, 'answer: 201, capture `cp_hist_A2` (it names its intent and path, so the two requests in flight are told apart)')
    h.add(answer_to(r2, 200, {'message': 'Reversal created', 'reversalId': 'rvs_hist_D1'},
                    '2024-07-25T10:00:31Z'), D, 'answer: 200, reversed')
    h.add(delivery(evt_d_rev, '2024-07-25T10:00:34Z'), D, 'webhook: Reversed')
    h.add(delivery(evt_d_receipt, '2024-07-25T10:00:40Z'), D, 'webhook: send-receipt, with no status (read again, not a finding)')
    h.add(intent(A, 'Captured', 1000, captures=[a_cap1, a_cap2]), A, 'read: both captures Successful, 10.00 GBP and a tip captured')
    h.add(d1, D, 'read: Reversed')
    h.add(delivery(evt_d_rev, '2024-07-25T10:01:34Z'), D, 'webhook: Reversed delivered again')
    r = request('POST', A, 'refunds', '2024-07-25T11:00:00Z', body={'amount': 250, 'refundReason': 'damaged'},
                key='rf-hist-A1')
    h.add(r, A, 'request: refund 2.50 GBP under the key `rf-hist-A1`, with a reason')
    h.add(answer_to(r, 201, {'paymentIntentId': A, 'refundId': 'rfnd_hist_A1', 'refundReason': 'damaged'},
                    '2024-07-25T11:00:01Z'), A, 'answer: 201, refund `rfnd_hist_A1`')
    h.add(delivery(evt_a_ref, '2024-07-25T11:00:05Z'), A, 'webhook: Refunded')
    r = request('POST', B, 'refunds', '2024-07-25T12:00:00Z', body={'amount': 1000}, key='rf-hist-B1')
    h.add(r, B, 'request: refund 10.00 GBP under the key `rf-hist-B1`')
    h.add(answer_to(r, None, None, '2024-07-25T12:00:30Z'), B, 'answer: none, a timeout (`status` null): the outcome is unknown, not a finding')
    r = request('POST', B, 'refunds', '2024-07-25T12:01:00Z', body={'amount': 1000}, key='rf-hist-B1')
    h.add(r, B, 'request: the safe retry, the same key and amount')
    h.add(answer_to(r, 201, {'paymentIntentId': B, 'refundId': 'rfnd_hist_B1'}, '2024-07-25T12:01:01Z'),
          B, 'answer: 201, refund `rfnd_hist_B1`')
    h.add(intent(A, 'Refunded', 1000, captures=[a_cap1, a_cap2], refunded=250), A, 'read: 2.50 GBP refunded')
    h.add(delivery(evt_b_ref, '2024-07-25T12:01:06Z'), B, 'webhook: Refunded')
    h.add(delivery(evt_a_ref, '2024-07-25T12:02:05Z'), A, 'webhook: Refunded delivered again, an hour late')
    r = request('GET', B, None, '2024-07-25T12:05:00Z')
    h.add(r, B, 'request: read the intent (`GET`)')
    h.add(answer_to(r, 200, b1, '2024-07-25T12:05:01Z'), B, 'answer: 200 with the intent, 10.00 GBP refunded: a read like a snapshot line')
    h.add(delivery(evt_b_ref, '2024-07-25T12:06:06Z'), B, 'webhook: Refunded delivered again')
    return h


def violations():
    h = History()
    M, R, X, Y, Z = ('pi_viol_manual_M', 'pi_viol_reversed_R', 'pi_viol_created_X',
                     'pi_viol_auto_Y', 'pi_viol_auto_Z')
    m_cap1 = capture('cp_viol_M1', 600, 'Successful', '2024-07-25T09:10:01Z')
    m_cap2 = capture('cp_viol_M2', 300, 'Successful', '2024-07-25T09:30:01Z')

    h.add('this line is not JSON', None, 'not JSON', 'malformed_line')
    h.add({'hello': 'world'}, None, 'a JSON object of no known kind', 'unknown_line')
    nameless = intent('x', 'Authorized', 500)
    del nameless['id']
    h.add(nameless, None, 'a payment intent without an `id`', 'intent_id_missing')
    h.add(intent('pi_viol_bad', 'Authorized', 1000, captures=[
        capture('cp_viol_bad1', 700, 'Successful', '2024-07-25T09:01:00Z'),
        capture('cp_viol_bad2', 400, 'Created', '2024-07-25T09:02:00Z')]),
        'pi_viol_bad', 'a read whose captures total 11.00 GBP of 10.00 GBP: it does not rehydrate',
        'captures_exceed_amount')
    h.add(request('POST', 'pi_viol_never', 'captures', '2024-07-25T09:00:00Z', body={'amount': 100}),
          'pi_viol_never', 'a request for an intent no read has shown', 'unknown_intent')
    h.add(request('PUT', M, None, '2024-07-25T09:00:00Z', body={'amount': 100}), M,
          'a request that is none of the lifecycle\'s (`PUT /payment-intents/{id}`)', 'unknown_request')
    h.add(intent(M, 'Authorized', 1000), M, 'read: a Manual intent of 10.00 GBP, authorised')
    r = request('POST', M, 'captures', '2024-07-25T09:10:00Z', body={'amount': 600}, version=None)
    h.add(r, M, 'request: capture 6.00 GBP, sent without the `version` header', 'request_mismatch')
    h.add(answer_to(r, 201, {'captureId': 'cp_viol_M1'}, '2024-07-25T09:10:01Z'), M, 'answer: 201, `cp_viol_M1` in flight')
    r = request('POST', M, 'captures', '2024-07-25T09:20:00Z', body={'amount': 500})
    h.add(r, M, 'request: capture 5.00 GBP while 6.00 GBP is in flight: a request sent without a passed check', 'over_capture')
    h.add(answer_to(r, 409, {'title': 'Conflict', 'detail': 'Amount exceeds the authorised amount'},
                    '2024-07-25T09:20:01Z'), M, 'answer: 409 to that request: Dojo refused it, not a second finding')
    m1 = intent(M, 'Captured', 1000, captures=[m_cap1])
    h.add(m1, M, 'read: `cp_viol_M1` Successful')
    r = request('POST', M, 'captures', '2024-07-25T09:30:00Z', body={'amount': 300})
    h.add(r, M, 'request: capture 3.00 GBP')
    h.add(m1, M, 'read before that request\'s answer is recorded', 'reconcile_answer_awaited')
    h.add(answer_to(r, 201, {'captureId': 'cp_viol_M1'}, '2024-07-25T09:30:01Z'), M,
          'answer: 201 naming `cp_viol_M1`, a capture the intent already records', 'capture_id_already_recorded')
    h.add(request('POST', M, 'captures', '2024-07-25T09:40:00Z', body={'amount': 100}), M,
          'request: capture 1.00 GBP while the last capture\'s outcome is unknown, without reading first', 'outcome_unknown')
    h.add(intent(M, 'Captured', 1000, captures=[m_cap1, m_cap2]), M, 'read: the 3.00 GBP capture was made, as `cp_viol_M2`')
    h.add(m1, M, 'read: `cp_viol_M2` gone, the captured total down from 9.00 to 6.00 GBP', 'reconcile_captured_shrank')
    r = request('POST', M, 'refunds', '2024-07-25T10:00:00Z', body={'amount': 100}, key='rf-viol-M1')
    h.add(r, M, 'request: refund 1.00 GBP')
    h.add(answer_to(r, 201, {'paymentIntentId': M}, '2024-07-25T10:00:01Z'), M,
          'answer: 201 without a `refundId`', 'refund_answer_unreadable')
    h.add(intent(M, 'Refunded', 1000, captures=[m_cap1], refunded=100), M, 'read: 1.00 GBP refunded, which settles the refund')
    h.add(request('POST', M, 'captures', '2024-07-25T10:10:00Z', body={'amount': 100}), M,
          'request: capture after a refund', 'capture_after_refund')
    h.add(request('POST', M, 'refunds', '2024-07-25T10:20:00Z', body={'amount': 600}, key='rf-viol-M2'), M,
          'request: refund 6.00 GBP when 5.00 GBP is refundable', 'over_refund')
    h.add(intent(M, 'Refunded', 1000, captures=[m_cap1], refunded=50), M,
          'read: the refunded total down from 1.00 to 0.50 GBP', 'reconcile_refunded_shrank')
    h.add(delivery(event('evt_viol_M_created', M, 'Created', '2024-07-25T09:00:00Z',
                         name='payment_intent.created'), '2024-07-25T10:30:00Z'), M,
          'webhook: Created, delivered after the intent was refunded', 'webhook_stale')
    h.add(intent(R, 'Authorized', 800, created='2024-07-25T11:00:00Z'), R, 'read: a Manual intent of 8.00 GBP, authorised')
    r = request('POST', R, 'reversal', '2024-07-25T11:10:00Z')
    h.add(r, R, 'request: reverse')
    h.add(answer_to(r, 200, {'reversalId': 'rvs_viol_R1'}, '2024-07-25T11:10:01Z'), R, 'answer: 200, reversed')
    h.add(intent(R, 'Authorized', 800, created='2024-07-25T11:00:00Z'), R,
          'read: Authorized again after the reversal, a status that jumped backwards', 'reconcile_state_unreachable')
    h.add(request('POST', R, 'captures', '2024-08-02T12:00:00Z', body={'amount': 100}), R,
          'request: capture eight days after the payment', 'authorization_expired')
    h.add(intent(X, 'Created', 500, created='2024-07-25T12:00:00Z'), X, 'read: a Created intent of 5.00 GBP')
    r = request('DELETE', X, None, '2024-07-25T12:10:00Z')
    h.add(r, X, 'request: cancel')
    h.add(answer_to(r, 200, intent(X, 'Created', 500, created='2024-07-25T12:00:00Z'), '2024-07-25T12:10:01Z'), X,
          'answer: 200 with the intent still Created', 'cancel_answer_contradicts')
    h.add(intent(X, 'Canceled', 500, created='2024-07-25T12:00:00Z'), X, 'read: Canceled, which settles the cancel')
    h.add(delivery(event('evt_viol_X_captured', X, 'Captured', '2024-07-25T12:20:00Z'), '2024-07-25T12:20:01Z'), X,
          'webhook: Captured, for a canceled intent', 'webhook_impossible')
    h.add(delivery(event('evt_viol_X_forged', X, 'Captured', '2024-07-25T12:21:00Z'), '2024-07-25T12:21:01Z',
                   secret=b'ws_someone_else'), None,
          'webhook: signed with another secret (its body is not read, so no intent is named)',
          'webhook_signature_mismatch')
    h.add(event('evt_viol_X_unsigned', X, 'Captured', '2024-07-25T12:22:00Z'), None,
          'webhook: an event body without its signature', 'webhook_signature_missing')
    not_event = dumps({'id': 'evt_viol_X_empty', 'event': 'payment_intent.status_updated', 'data': {}})
    h.add(delivery(not_event, '2024-07-25T12:23:01Z'), None, 'webhook: signed, but no `data.paymentIntentId`',
          'webhook_not_an_event')
    h.add(response(X, 'DELETE', f'/payment-intents/{X}', 200, None, '2024-07-25T12:24:00Z'), X,
          'answer: no request of the intent awaits one', 'answer_without_request')
    h.add(intent(Y, 'Captured', 2000, mode='Auto', created='2024-07-25T13:00:00Z'), Y, 'read: an Auto intent of 20.00 GBP, captured')
    h.add(request('POST', Y, 'refunds', '2024-07-25T13:10:00Z', body={'amount': -5}, key='rf-viol-Y1'), Y,
          'request: refund of -5 minor units', 'negative_amount')
    h.add(request('POST', Y, 'refunds', '2024-07-25T13:11:00Z', body={'amount': 100}, key='rf viol'), Y,
          'request: refund under the key `rf viol`, with a space', 'id_not_visible_ascii')
    h.add(request('POST', Y, 'refunds', '2024-07-25T13:12:00Z', body={'amount': 100, 'refundReason': 'r' * 1025},
                  key='rf-viol-Y3'), Y, 'request: refund with a reason of 1025 characters', 'refund_reason_too_long')
    h.add(intent(Z, 'Captured', 3000, mode='Auto', created='2024-07-25T14:00:00Z'), Z, 'read: an Auto intent of 30.00 GBP, captured')
    for n in range(9):
        at = f'2024-07-25T14:{10 + n:02d}:00Z'
        r = request('POST', Z, 'refunds', at, body={'amount': 100}, key='rf-viol-Z1')
        if n == 0:
            h.add(r, Z, 'request: refund 1.00 GBP, never answered')
        elif n < 8:
            h.add(r, Z, f'request: retry {n} of the same refund, never answered')
        else:
            h.add(r, Z, 'request: retry 8: nine requests await answers, the first is taken as lost', 'answer_missing')
    C = 'pi_viol_manual_C'
    h.add(intent(C, 'Authorized', 1000, created='2024-07-25T15:00:00Z'), C, 'read: a Manual intent of 10.00 GBP, authorised')
    r = request('POST', C, 'captures', '2024-07-25T15:10:00Z', body={'amount': 600})
    r['reference'] = 'order-7'
    h.add(r, C, 'request: capture 6.00 GBP for the service\'s order `order-7`')
    h.add(answer_to(r, 201, {'captureId': 'cp_viol_C1'}, '2024-07-25T15:10:01Z'), C, 'answer: 201, `cp_viol_C1` in flight')
    r = request('POST', C, 'captures', '2024-07-25T15:20:00Z', body={'amount': 400})
    r['reference'] = 'order-7'
    h.add(r, C, 'request: capture 4.00 GBP for `order-7` again: legal by the rules, but the order was captured',
          'capture_repeated')
    return h


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join('docs', 'examples', 'histories')
    os.makedirs(folder, exist_ok=True)
    good, bad = clean(), violations()
    good.write(os.path.join(folder, 'history.jsonl'))
    bad.write(os.path.join(folder, 'history-violations.jsonl'))
    good.table('history.jsonl')
    bad.table('history-violations.jsonl')


main()
