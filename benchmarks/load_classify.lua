-- wrk script: POST /api/v1/classify with the request bodies of a .jsonl file, in turn.
-- A C load generator for the closed-loop figures (the Python client's own CPU stays off the
-- two cores). Usage (see docs/service.md):
--   BODIES=/tmp/bodies.jsonl TOKEN=... wrk -t2 -c20 -d30s --latency \
--       -s benchmarks/load_classify.lua http://127.0.0.1:8000
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
local token = os.getenv("TOKEN")
local next_body = 0

request = function()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/api/v1/classify", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, bodies[next_body])
end

response = function(status)
  if status ~= 200 then
    io.stderr:write("status " .. status .. "\n")
  end
end
