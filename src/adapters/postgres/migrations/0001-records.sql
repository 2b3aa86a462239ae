-- The records the City keeps: every call, every service request with its notes, and every
-- urgent incident. Times are timestamptz (UTC inside; reports convert to the City's zone).

CREATE TABLE calls (
  call_sid text PRIMARY KEY,
  -- The caller's number, kept for operations; exports mask it.
  from_number text NOT NULL,
  to_number text NOT NULL,
  -- When the call reached the line (the period a call counts in), and when it ended.
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  duration_seconds integer,
  -- Whether the line was closed when the call started, by the hours (and override) then in force.
  after_hours boolean NOT NULL,
  -- Twilio's final CallStatus: completed, busy, failed, no-answer, canceled.
  status text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('answered-by-ivr', 'queued-to-agent', 'urgent-report', 'voicemail', 'transferred', 'abandoned')),
  -- The states the call went through, in order.
  path text[] NOT NULL DEFAULT '{}',
  flow text,
  flow_version integer,
  -- For a call put in an agent queue: which, how long it waited, and Twilio's QueueResult.
  queue text,
  queue_wait_seconds integer,
  queue_result text,
  -- The service request the call made (an urgent report, a voicemail), when it made one.
  reference text,
  category text,
  -- The call's step when the record was made: a later one (an answer Twilio posted after the
  -- status callback) replaces it.
  revision integer NOT NULL DEFAULT 0
);
CREATE INDEX calls_started_at ON calls (started_at);

CREATE TABLE service_requests (
  -- The reference the resident is given (or the GeoReport service_request_id).
  reference text PRIMARY KEY,
  -- power, water, roads, callback, an agent queue's service...
  service text NOT NULL,
  -- The department that handles the service (flows/departments.yaml), when one does.
  department text,
  channel text NOT NULL CHECK (channel IN ('phone', 'after-hours', 'online')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
  status_description text,
  requested_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  closed_at timestamptz,
  -- The place as the caller said it (or the web form's address), and coordinates when given.
  place text,
  lat double precision,
  long double precision,
  description text,
  recording_url text,
  callback_number text,
  contact_name text,
  contact_email text,
  -- The call that made it; at most one request per call.
  call_sid text UNIQUE,
  -- The urgent incident it belongs to (its own reference, or the one it joined).
  incident text,
  -- Who filed it: ivr, voicemail, or open311:<key name>.
  source text NOT NULL
);
CREATE INDEX service_requests_requested_at ON service_requests (requested_at);
CREATE INDEX service_requests_updated_at ON service_requests (updated_at);
CREATE INDEX service_requests_service_status ON service_requests (service, status);
CREATE INDEX service_requests_incident ON service_requests (incident) WHERE incident IS NOT NULL;
CREATE INDEX service_requests_closed_at ON service_requests (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE request_notes (
  id bigserial PRIMARY KEY,
  reference text NOT NULL REFERENCES service_requests (reference) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  -- A person's name, a crew member, a department, or "line".
  author text NOT NULL,
  -- acknowledged, closed, reopened, note, paged, escalated, alarm, delivered, update...
  kind text NOT NULL,
  text text NOT NULL DEFAULT '',
  -- The same event written twice (a retried job) keeps one note.
  event_key text UNIQUE
);
CREATE INDEX request_notes_reference ON request_notes (reference, at);

CREATE TABLE incidents (
  reference text PRIMARY KEY,
  category text NOT NULL,
  opened_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz,
  resolved_by text,
  -- Pages that went beyond the first person (the chain moved on), and whether the alarm was raised.
  escalations integer NOT NULL DEFAULT 0,
  alarm boolean NOT NULL DEFAULT false
);
CREATE INDEX incidents_opened_at ON incidents (opened_at);
