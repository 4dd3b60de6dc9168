-- wrk script for benchmarks/worklist_load.py: print the run's summary and latency percentiles as one JSON line.
-- Headers (bearer token, session cookie) are passed with wrk's -H, so requests are not touched here.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON:{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%.0f,"mean":%.1f,"stdev":%.1f,"max":%.0f,' ..
    '"p50":%.0f,"p75":%.0f,"p90":%.0f,"p95":%.0f,"p99":%.0f,"p999":%.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9)))
end
