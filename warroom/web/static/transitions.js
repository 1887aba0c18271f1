// The incident state machine, used only to grey out buttons the server would
// reject. It mirrors ALLOWED_TRANSITIONS in engine/incidents/models.py, which
// a test compares with this table. The server checks every change again and
// rejects a forbidden one with 409 and the allowed statuses.
export const ALLOWED_TRANSITIONS = {
  DETECTED: ["ESCALATED", "INVESTIGATING"],
  INVESTIGATING: ["ESCALATED", "REMEDIATING"],
  REMEDIATING: ["ESCALATED", "RESOLVED"],
  ESCALATED: ["RESOLVED"],
  RESOLVED: [],
};

/** Return true if an incident in `status` may move to `next`. */
export function canMove(status, next) {
  return (ALLOWED_TRANSITIONS[status] ?? []).includes(next);
}
