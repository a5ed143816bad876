-- wrk script for the federation benchmark: POST the benchmark query and check every response.
-- A response counts as good only if its status is 200 and its body is byte-identical to one of
-- the bodies that bench/run validated beforehand against the expected data's checksum
-- (parsed, no "errors", canonical JSON equal). Anything else is counted as an error.
-- Env: BENCH_REQUEST (file with the request body), BENCH_ACCEPT (file: accepted bodies,
-- each preceded by a line with its byte length), BENCH_PATH (request path),
-- BENCH_AUTHORIZATION (optional Authorization header of every request).

local threads = {}

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = os.getenv("BENCH_PATH") or "/graphql"
  wrk.body = read_file(os.getenv("BENCH_REQUEST"))
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  local authorization = os.getenv("BENCH_AUTHORIZATION")
  if authorization then
    wrk.headers["Authorization"] = authorization
  end
  accepted = {}
  local data = read_file(os.getenv("BENCH_ACCEPT"))
  local pos = 1
  while pos <= #data do
    local nl = string.find(data, "\n", pos, true)
    local len = tonumber(string.sub(data, pos, nl - 1))
    accepted[string.sub(data, nl + 1, nl + len)] = true
    pos = nl + 1 + len
  end
  good = 0
  bad_status = 0
  bad_body = 0
  first_bad = ""
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
    if first_bad == "" then first_bad = "status " .. status .. ": " .. string.sub(body, 1, 2000) end
  elseif accepted[body] then
    good = good + 1
  else
    bad_body = bad_body + 1
    if first_bad == "" then first_bad = "body: " .. string.sub(body, 1, 2000) end
  end
end

local function quote(s)
  s = string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local good_total, status_total, body_total, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    status_total = status_total + thread:get("bad_status")
    body_total = body_total + thread:get("bad_body")
    local s = thread:get("first_bad")
    if sample == "" and s ~= nil then sample = s end
  end
  local e = summary.errors
  io.write("BENCH_RESULT ", string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"good":%d,"bad_status":%d,"bad_body":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"http_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"bad_sample":%s}\n',
    summary.requests, summary.duration, summary.bytes, good_total, status_total, body_total,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, quote(sample)))
end
