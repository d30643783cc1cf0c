-- Wireshark dissector for LSOE (Link State Over Ethernet, draft-ietf-lsvr-lsoe),
-- the wire contract of ../shared/docs/PROTOCOL.md as implemented by `lsoe`.
--
-- Install: copy this file to ~/.local/lib/wireshark/plugins/ (Wireshark 4.x;
-- older versions read ~/.config/wireshark/plugins/), or try it with
--   tshark -X lua_script:lsoe.lua -r capture.pcap
--
-- What it shows mirrors `lsoe decode`: the same checks in the same order, the
-- same reassembly rules (per sender, duplicates replace, 1 s timeout), the same
-- one-line summary in the Info column, and each refusal as expert info named
-- after the reason `lsoe decode --json` prints (lsoe.expert.<reason>).
-- Wireshark Lua runs Lua 5.2: bit32, no integer division, no bitwise operators.

local lsoe = Proto("lsoe", "Link State Over Ethernet")

local LSOE_ETHERTYPE = 0x88b5
-- The published lsoed source sends 0x8885 by mistake; a preference keeps it.
local LSOED_ETHERTYPE = 0x8885
local HEADER_LENGTH = 8
local PDU_HEADER_LENGTH = 3
local MAX_FRAMES = 128
-- Bounds of lsoe's reassembler (src/proto/fragment.ts), so both refuse alike.
local MAX_BYTES_PER_SENDER = 0xffff
local MAX_BYTES_TOTAL = 4 * 1024 * 1024
local MAX_SENDERS = 1024

local PDU_TYPES = {
  [0] = "HELLO", [1] = "OPEN", [2] = "KEEPALIVE", [3] = "ACK",
  [4] = "IPV4_ENCAPSULATION", [5] = "IPV6_ENCAPSULATION",
  [6] = "MPLS_IPV4_ENCAPSULATION", [7] = "MPLS_IPV6_ENCAPSULATION",
  [255] = "VENDOR",
}
local ERROR_TYPES = { [0] = "NO_ERROR", [1] = "WARNING", [2] = "RESTART", [3] = "HOPELESS" }
local ERROR_CODES = { [1] = "LINK_ADDRESSING_CONFLICT", [2] = "AUTHORIZATION_FAILURE_IN_OPEN" }
-- the tree names code 0 as `lsoe decode -v` does; Info keeps "code 0"
local ERROR_CODE_VALS = { [0] = "none", [1] = ERROR_CODES[1], [2] = ERROR_CODES[2] }
-- Wireshark's own checksum status values (proto_checksum_vals).
local CHECKSUM_BAD, CHECKSUM_GOOD = 0, 1
local CHECKSUM_STATUS = { [0] = "Bad", [1] = "Good", [2] = "Unverified" }
-- Types an ACK may never acknowledge (draft-ietf-lsvr-lsoe-01 section 6).
local NEVER_ACKED = { [0] = true, [2] = true, [3] = true }

-- Every field declared once; names are what filters and `tshark -T fields` use.
local f = {
  version = ProtoField.uint8("lsoe.frame.version", "Version"),
  last = ProtoField.bool("lsoe.frame.last", "Last frame", 8, nil, 0x80),
  number = ProtoField.uint8("lsoe.frame.number", "Frame number", base.DEC, nil, 0x7f),
  frame_length = ProtoField.uint16("lsoe.frame.length", "Frame length"),
  checksum = ProtoField.uint32("lsoe.frame.checksum", "Checksum", base.HEX),
  checksum_status = ProtoField.uint8("lsoe.frame.checksum.status", "Checksum status", base.DEC, CHECKSUM_STATUS),
  checksum_computed = ProtoField.uint32("lsoe.frame.checksum.computed", "Computed checksum", base.HEX),
  payload = ProtoField.bytes("lsoe.frame.payload", "Payload"),

  fragments = ProtoField.none("lsoe.fragments", "PDU pieces"),
  fragment = ProtoField.framenum("lsoe.fragment", "Piece in frame", base.NONE, frametype.NONE),
  fragment_count = ProtoField.uint8("lsoe.fragment.count", "Pieces"),
  reassembled_in = ProtoField.framenum("lsoe.reassembled_in", "Reassembled in", base.NONE, frametype.NONE),
  reassembled_length = ProtoField.uint16("lsoe.reassembled.length", "Reassembled PDU length"),

  pdu = ProtoField.none("lsoe.pdu", "PDU"),
  pdu_type = ProtoField.uint8("lsoe.pdu.type", "Type", base.DEC, PDU_TYPES),
  pdu_length = ProtoField.uint16("lsoe.pdu.length", "Length"),
  pdu_data = ProtoField.bytes("lsoe.pdu.data", "Data"),

  open_nonce = ProtoField.bytes("lsoe.open.nonce", "Nonce"),
  open_local_id = ProtoField.bytes("lsoe.open.local_id", "Local ID", base.COLON),
  open_attr_length = ProtoField.uint8("lsoe.open.attributes_length", "Attribute length"),
  open_attributes = ProtoField.bytes("lsoe.open.attributes", "Attributes"),
  open_auth_length = ProtoField.uint16("lsoe.open.auth_length", "Auth length"),
  open_auth = ProtoField.bytes("lsoe.open.auth", "Auth"),

  ack_type = ProtoField.uint8("lsoe.ack.type", "Acked PDU type", base.DEC, PDU_TYPES),
  ack_error = ProtoField.uint16("lsoe.ack.error", "Error", base.HEX),
  ack_error_type = ProtoField.uint16("lsoe.ack.error_type", "Error type", base.DEC, ERROR_TYPES, 0xf000),
  ack_error_code = ProtoField.uint16("lsoe.ack.error_code", "Error code", base.DEC, ERROR_CODE_VALS, 0x0fff),
  ack_error_hint = ProtoField.uint16("lsoe.ack.error_hint", "Error hint"),

  encap_count = ProtoField.uint16("lsoe.encap.count", "Count"),
  encap = ProtoField.none("lsoe.encap", "Encapsulation"),
  encap_flags = ProtoField.uint8("lsoe.encap.flags", "Flags", base.HEX),
  encap_primary = ProtoField.bool("lsoe.encap.primary", "Primary", 8, nil, 0x80),
  encap_loopback = ProtoField.bool("lsoe.encap.loopback", "Loopback", 8, nil, 0x40),
  encap_label_count = ProtoField.uint8("lsoe.encap.label_count", "Label count"),
  encap_label = ProtoField.bytes("lsoe.encap.label", "Label stack entry"),
  encap_label_value = ProtoField.uint24("lsoe.encap.label.value", "Label", base.DEC, nil, 0xfffff0),
  encap_label_tc = ProtoField.uint24("lsoe.encap.label.tc", "Traffic class", base.DEC, nil, 0x00000e),
  encap_label_bos = ProtoField.bool("lsoe.encap.label.bottom", "Bottom of stack", 24, nil, 0x000001),
  encap_ipv4 = ProtoField.ipv4("lsoe.encap.ipv4", "IPv4 address"),
  encap_ipv6 = ProtoField.ipv6("lsoe.encap.ipv6", "IPv6 address"),
  encap_prefix_length = ProtoField.uint8("lsoe.encap.prefix_length", "Prefix length"),

  vendor_enterprise = ProtoField.uint32("lsoe.vendor.enterprise", "Enterprise number"),
  vendor_type = ProtoField.uint8("lsoe.vendor.type", "Enterprise type"),
  vendor_data = ProtoField.bytes("lsoe.vendor.data", "Data"),
}
local field_list = {}
for _, field in pairs(f) do field_list[#field_list + 1] = field end
lsoe.fields = field_list

-- One expert field per refusal reason of `lsoe decode` (DecodeError.reason).
local ex = {
  truncated = ProtoExpert.new("lsoe.expert.truncated", "LSOE frame truncated", expert.group.MALFORMED, expert.severity.ERROR),
  version = ProtoExpert.new("lsoe.expert.version", "LSOE version not 0", expert.group.MALFORMED, expert.severity.ERROR),
  length = ProtoExpert.new("lsoe.expert.length", "LSOE frame length bad", expert.group.MALFORMED, expert.severity.ERROR),
  checksum = ProtoExpert.new("lsoe.expert.checksum", "LSOE checksum bad", expert.group.CHECKSUM, expert.severity.WARN),
  pdu = ProtoExpert.new("lsoe.expert.pdu", "Malformed LSOE PDU", expert.group.MALFORMED, expert.severity.ERROR),
  reassembly = ProtoExpert.new("lsoe.expert.reassembly", "LSOE reassembly failed", expert.group.REASSEMBLE, expert.severity.ERROR),
  fragment = ProtoExpert.new("lsoe.expert.fragment", "Piece of a multi-frame LSOE PDU", expert.group.REASSEMBLE, expert.severity.CHAT),
  internal = ProtoExpert.new("lsoe.expert.internal", "LSOE dissector bug", expert.group.MALFORMED, expert.severity.ERROR),
}
lsoe.experts = { ex.truncated, ex.version, ex.length, ex.checksum, ex.pdu, ex.reassembly, ex.fragment, ex.internal }

lsoe.prefs.lsoed_ethertype = Pref.bool("Also dissect EtherType 0x8885",
  true, "The published lsoed source sends LSOE on EtherType 0x8885 instead of 0x88b5")
lsoe.prefs.reassembly_timeout_ms = Pref.uint("Reassembly timeout (ms)", 1000,
  "A partial multi-frame PDU older than this is dropped (lsoed's reassembly-timeout)")

-- Fields of the layers below, for the reassembly key (interface + source MAC).
local eth_src_field = Field.new("eth.src")
local eth_dst_field = Field.new("eth.dst")
local ifname_field = Field.new("frame.interface_name")

---------------------------------------------------------------------------
-- Checksum (PROTOCOL.md section 2): Skipjack F-table sums over the header
-- with a zero checksum and version 0, then the payload.
local SBOX = {
  0xa3,0xd7,0x09,0x83,0xf8,0x48,0xf6,0xf4,0xb3,0x21,0x15,0x78,0x99,0xb1,0xaf,0xf9,
  0xe7,0x2d,0x4d,0x8a,0xce,0x4c,0xca,0x2e,0x52,0x95,0xd9,0x1e,0x4e,0x38,0x44,0x28,
  0x0a,0xdf,0x02,0xa0,0x17,0xf1,0x60,0x68,0x12,0xb7,0x7a,0xc3,0xe9,0xfa,0x3d,0x53,
  0x96,0x84,0x6b,0xba,0xf2,0x63,0x9a,0x19,0x7c,0xae,0xe5,0xf5,0xf7,0x16,0x6a,0xa2,
  0x39,0xb6,0x7b,0x0f,0xc1,0x93,0x81,0x1b,0xee,0xb4,0x1a,0xea,0xd0,0x91,0x2f,0xb8,
  0x55,0xb9,0xda,0x85,0x3f,0x41,0xbf,0xe0,0x5a,0x58,0x80,0x5f,0x66,0x0b,0xd8,0x90,
  0x35,0xd5,0xc0,0xa7,0x33,0x06,0x65,0x69,0x45,0x00,0x94,0x56,0x6d,0x98,0x9b,0x76,
  0x97,0xfc,0xb2,0xc2,0xb0,0xfe,0xdb,0x20,0xe1,0xeb,0xd6,0xe4,0xdd,0x47,0x4a,0x1d,
  0x42,0xed,0x9e,0x6e,0x49,0x3c,0xcd,0x43,0x27,0xd2,0x07,0xd4,0xde,0xc7,0x67,0x18,
  0x89,0xcb,0x30,0x1f,0x8d,0xc6,0x8f,0xaa,0xc8,0x74,0xdc,0xc9,0x5d,0x5c,0x31,0xa4,
  0x70,0x88,0x61,0x2c,0x9f,0x0d,0x2b,0x87,0x50,0x82,0x54,0x64,0x26,0x7d,0x03,0x40,
  0x34,0x4b,0x1c,0x73,0xd1,0xc4,0xfd,0x3b,0xcc,0xfb,0x7f,0xab,0xe6,0x3e,0x5b,0xa5,
  0xad,0x04,0x23,0x9c,0x14,0x51,0x22,0xf0,0x29,0x79,0x71,0x7e,0xff,0x8c,0x0e,0xe2,
  0x0c,0xef,0xbc,0x72,0x75,0x6f,0x37,0xa1,0xec,0xd3,0x8e,0x62,0x8b,0x86,0x10,0xe8,
  0x08,0x77,0x11,0xbe,0x92,0x4f,0x24,0xc5,0x32,0x36,0x9d,0xcf,0xf3,0xa6,0xbb,0xac,
  0x5e,0x6c,0xa9,0x13,0x57,0x25,0xb5,0xe3,0xbd,0xa8,0x3a,0x01,0x05,0x59,0x2a,0x46,
}

local TWO32 = 4294967296

-- tvb holds the frame (header first); flen is its Frame Length.
local function lsoe_checksum(tvb, flen)
  local sums = { 0, 0, 0, 0 }
  -- header: version taken as 0 and the checksum field as zero
  local header = { 0, tvb(1, 1):uint(), tvb(2, 1):uint(), tvb(3, 1):uint(), 0, 0, 0, 0 }
  for i = 0, 7 do
    local k = (i % 4) + 1
    sums[k] = sums[k] + SBOX[header[i + 1] + 1]
  end
  if flen > HEADER_LENGTH then
    local bytes = tvb(HEADER_LENGTH, flen - HEADER_LENGTH):bytes()
    for i = 0, bytes:len() - 1 do
      local k = ((HEADER_LENGTH + i) % 4) + 1
      sums[k] = sums[k] + SBOX[bytes:get_index(i) + 1]
    end
  end
  -- the sums overlap (they exceed 8 bits); doubles stay exact below 2^53
  local r = sums[1] * 16777216 + sums[2] * 65536 + sums[3] * 256 + sums[4]
  for _ = 1, 2 do r = math.floor(r / TWO32) + (r % TWO32) end
  return r
end

---------------------------------------------------------------------------
-- Formatting shared with `lsoe decode`'s one-line form (src/render/pdu-text.ts).

local function plural(n, word)
  return string.format("%d %s%s", n, word, n == 1 and "" or "s")
end

local function colon_id(hex)
  return (hex:gsub("(..)", "%1:"):sub(1, -2))
end

local function label_value(hex)
  return math.floor(tonumber(hex, 16) / 16)
end

local function encap_text(e)
  local flags = (e.primary and "P" or "") .. (e.loopback and "L" or "")
  local s = e.address .. "/" .. e.prefix_length
  if flags ~= "" then s = s .. " " .. flags end
  if e.labels then
    local parts = {}
    for i, l in ipairs(e.labels) do parts[i] = string.format("%d(%s)", label_value(l), l) end
    s = s .. " labels " .. table.concat(parts, ",")
  end
  return s
end

local SUMMARY_ENCAPS = 4

local function encaps_summary(encaps)
  if #encaps == 0 then return "(none)" end
  local shown = {}
  for i = 1, math.min(#encaps, SUMMARY_ENCAPS) do shown[i] = encap_text(encaps[i]) end
  local s = table.concat(shown, ", ")
  if #encaps > SUMMARY_ENCAPS then s = s .. string.format(" (+%d more)", #encaps - SUMMARY_ENCAPS) end
  return s
end

---------------------------------------------------------------------------
-- A bounds-checked reader over the PDU that adds each field to the tree as it
-- reads it. Running short raises a decode error (a table, told apart from a
-- Lua error by pcall's caller) with lsoe's message, so Info and expert info
-- say what `lsoe decode` says.

local DecodeFailure = {}

local function fail(message, offset)
  error(setmetatable({ message = message, offset = offset }, DecodeFailure), 0)
end

local function new_reader(tvb, tree)
  return { tvb = tvb, tree = tree, pos = 0, len = tvb:len() }
end

local function need(r, n, what)
  if r.pos + n > r.len then
    fail(string.format("%s: needs %d octet%s at offset %d, only %d left", what, n, n == 1 and "" or "s", r.pos, r.len - r.pos), r.pos)
  end
end

-- Reads n octets for `what`, adds `field` (when given) under `tree`, returns the range.
local function take(r, n, what, field, tree)
  need(r, n, what)
  local range = r.tvb(r.pos, n)
  if field then (tree or r.tree):add(field, range) end
  r.pos = r.pos + n
  return range
end

local function take_uint(r, n, what, field, tree)
  return take(r, n, what, field, tree):uint()
end

local function take_hex(r, n, what, field, tree)
  if n == 0 then
    if field then (tree or r.tree):add(field, r.tvb(r.pos, 0)) end
    return ""
  end
  return take(r, n, what, field, tree):bytes():tohex(true)
end

local function expect_end(r, what)
  if r.pos ~= r.len then
    local n = r.len - r.pos
    fail(string.format("%s: %d trailing octet%s at offset %d", what, n, n == 1 and "" or "s", r.pos), r.pos)
  end
end

---------------------------------------------------------------------------
-- One body decoder per PDU type: read the fields, return the Info summary.

local function empty_body(name)
  return function(r)
    expect_end(r, name)
    return ""
  end
end

local function open_body(r)
  local nonce = take_hex(r, 4, "OPEN nonce", f.open_nonce)
  local local_id = take_hex(r, 10, "OPEN local ID", f.open_local_id)
  local attributes = take_hex(r, take_uint(r, 1, "OPEN attribute length", f.open_attr_length), "OPEN attributes", f.open_attributes)
  take_hex(r, take_uint(r, 2, "OPEN auth length", f.open_auth_length), "OPEN auth", f.open_auth)
  expect_end(r, "OPEN")
  local s = string.format("nonce %s id %s", nonce, colon_id(local_id))
  if attributes ~= "" then s = s .. " attrs " .. attributes end
  return s
end

local function ack_body(r)
  local ack_type = take_uint(r, 1, "ACK acked type", f.ack_type)
  local error_range = take(r, 2, "ACK error")
  local error_item = r.tree:add(f.ack_error, error_range)
  error_item:add(f.ack_error_type, error_range)
  error_item:add(f.ack_error_code, error_range)
  local error_type = math.floor(error_range:uint() / 4096)
  local error_code = error_range:uint() % 4096
  local hint = take_uint(r, 2, "ACK error hint", f.ack_error_hint)
  expect_end(r, "ACK")
  -- the protocol's MUSTs about meaning (src/proto/validate.ts), in its order
  if NEVER_ACKED[ack_type] then fail(string.format("ACK acked type: %d is never acked at offset 3", ack_type), 3) end
  if error_type == 0 and error_code ~= 0 then
    fail(string.format("ACK error code: %d with error type NO_ERROR at offset 4", error_code), 4)
  end
  if error_type == 0 and hint ~= 0 then fail(string.format("ACK error hint: %d with error type NO_ERROR at offset 6", hint), 6) end
  local acked = PDU_TYPES[ack_type] or ("type " .. ack_type)
  if error_type == 0 then return "of " .. acked end
  return string.format("of %s %s %s hint %d", acked, ERROR_TYPES[error_type] or ("error-type " .. error_type),
    ERROR_CODES[error_code] or ("code " .. error_code), hint)
end

local function encaps_body(name, ipv6, mpls)
  local addr_len = ipv6 and 16 or 4
  local max_prefix = ipv6 and 128 or 32
  return function(r)
    local count = take_uint(r, 2, name .. " count", f.encap_count)
    local encaps = {}
    local bad_prefix, bad_prefix_at
    for i = 0, count - 1 do
      local what = string.format("%s entry %d ", name, i)
      local start = r.pos
      need(r, 1, what .. "flags")
      local item = r.tree:add(f.encap, r.tvb(start, 1))
      local flags_range = take(r, 1, what .. "flags")
      local flags_item = item:add(f.encap_flags, flags_range)
      flags_item:add(f.encap_primary, flags_range)
      flags_item:add(f.encap_loopback, flags_range)
      local flags = flags_range:uint()
      local e = { primary = bit32.band(flags, 0x80) ~= 0, loopback = bit32.band(flags, 0x40) ~= 0 }
      if mpls then
        local n = take_uint(r, 1, what .. "label count", f.encap_label_count, item)
        e.labels = {}
        for j = 0, n - 1 do
          local range = take(r, 3, what .. "label " .. j)
          local label_item = item:add(f.encap_label, range)
          label_item:add(f.encap_label_value, range)
          label_item:add(f.encap_label_tc, range)
          label_item:add(f.encap_label_bos, range)
          e.labels[j + 1] = range:bytes():tohex(true)
        end
      end
      local addr_range = take(r, addr_len, what .. "address", ipv6 and f.encap_ipv6 or f.encap_ipv4, item)
      e.address = tostring(ipv6 and addr_range:ipv6() or addr_range:ipv4())
      local prefix_at = r.pos
      e.prefix_length = take_uint(r, 1, what .. "prefix length", f.encap_prefix_length, item)
      if e.prefix_length > max_prefix and not bad_prefix then
        bad_prefix = string.format("%s entry %d prefix length: %d is over %d at offset %d", name, i, e.prefix_length, max_prefix, prefix_at)
        bad_prefix_at = prefix_at
      end
      item:set_len(r.pos - start)
      item:append_text(": " .. encap_text(e))
      encaps[#encaps + 1] = e
    end
    expect_end(r, name)
    if bad_prefix then fail(bad_prefix, bad_prefix_at) end
    return encaps_summary(encaps)
  end
end

local function vendor_body(r)
  local enterprise = take_uint(r, 4, "VENDOR enterprise number", f.vendor_enterprise)
  local etype = take_uint(r, 1, "VENDOR enterprise type", f.vendor_type)
  local n = r.len - r.pos
  take_hex(r, n, "VENDOR data", f.vendor_data)
  return string.format("enterprise %d type %d data %d octets", enterprise, etype, n)
end

local BODIES = {
  [0] = empty_body("HELLO"),
  [1] = open_body,
  [2] = empty_body("KEEPALIVE"),
  [3] = ack_body,
  [4] = encaps_body("IPV4_ENCAPSULATION", false, false),
  [5] = encaps_body("IPV6_ENCAPSULATION", true, false),
  [6] = encaps_body("MPLS_IPV4_ENCAPSULATION", false, true),
  [7] = encaps_body("MPLS_IPV6_ENCAPSULATION", true, true),
  [255] = vendor_body,
}

-- Decodes a whole reassembled PDU into `tree`. Returns the Info text, or nil
-- and the failure { message, offset }.
local function dissect_pdu(tvb, tree)
  local size = tvb:len()
  local pdu_tree = tree:add(f.pdu, tvb())
  if size < PDU_HEADER_LENGTH then
    return nil, { message = string.format("PDU header: needs 3 octets, got %d", size), offset = size }
  end
  local r = new_reader(tvb, pdu_tree)
  local ok, result = pcall(function()
    local code = take_uint(r, 1, "PDU type", f.pdu_type)
    local name = PDU_TYPES[code]
    local length = take_uint(r, 2, "PDU length", f.pdu_length)
    pdu_tree:append_text(": " .. (name or ("unknown type " .. code)))
    if length ~= size then
      if name then fail(string.format("%s length: %d but the PDU is %d octets at offset 1", name, length, size), 1) end
      fail(string.format("PDU length: %d at offset 1 but the PDU is %d octets", length, size), 1)
    end
    if not name then
      take_hex(r, size - PDU_HEADER_LENGTH, "PDU data", f.pdu_data)
      return string.format("UNKNOWN type %d, %d octets", code, size)
    end
    local summary = BODIES[code](r)
    return summary == "" and name or (name .. " " .. summary)
  end)
  if ok then return result end
  if getmetatable(result) ~= DecodeFailure then error(result, 0) end
  return nil, result
end

---------------------------------------------------------------------------
-- Per-capture state. Wireshark dissects every frame once in order (first
-- pass), then again in any order when a packet is selected: what the first
-- pass learned is kept per frame number so later passes show the same thing.

local partials -- sender -> { frames = {[number] = {frame = n, bytes = ByteArray}}, held, bytes, last, started, total }
local partial_count, partial_bytes
-- creation order of partials: lsoe reports timeouts in that order (a Map's)
local partial_seq
local results -- frame number -> what that frame means (see analyse_frame)

local function reset_state()
  partials, partial_count, partial_bytes, partial_seq, results = {}, 0, 0, 0, {}
end
reset_state()
lsoe.init = reset_state

local function drop_partial(sender)
  local p = partials[sender]
  if p == nil then return end
  partials[sender] = nil
  partial_count = partial_count - 1
  partial_bytes = partial_bytes - p.bytes
end

local function timeout_seconds()
  return lsoe.prefs.reassembly_timeout_ms / 1000
end

-- lsoe prints the timeout in seconds the way JavaScript prints a number.
local function seconds_text(s)
  if s == math.floor(s) then return string.format("%d", s) end
  return (string.format("%.3f", s):gsub("0+$", ""))
end

-- Partial PDUs whose first piece is older than the timeout, reported as lsoe does.
local function expire(now, sink)
  local timeout = timeout_seconds()
  local due = {}
  for sender, p in pairs(partials) do
    if now - p.started > timeout then due[#due + 1] = { sender = sender, p = p } end
  end
  table.sort(due, function(a, b) return a.p.seq < b.p.seq end)
  for _, d in ipairs(due) do
    local sender, p = d.sender, d.p
    drop_partial(sender)
    local missing = p.last == -1 and "the last frame" or string.format("%d frame(s)", p.last + 1 - p.held)
    sink[#sink + 1] = string.format("reassembly from %s: timed out after %s s holding %d frame(s), missing %s",
      sender, seconds_text(timeout), p.held, missing)
  end
end

local function reassembly_error(sender, what)
  drop_partial(sender)
  return { reason = "reassembly", message = string.format("reassembly from %s: %s", sender, what), offset = 0 }
end

-- Adds a checked frame to its sender's partial PDU (src/proto/fragment.ts's rules).
-- Returns the completed PDU {bytes, pieces}, nil while pieces are missing, or an error.
local function reassemble(sender, number, last, payload, frame_no, now)
  local p = partials[sender]
  if p ~= nil and now - p.started > timeout_seconds() then
    drop_partial(sender)
    p = nil
  end
  if p == nil then
    if partial_count >= MAX_SENDERS then
      return nil, { reason = "reassembly", message = string.format("reassembly from %s: more than %d senders reassembling at once", sender, MAX_SENDERS), offset = 0 }
    end
    partial_seq = partial_seq + 1
    p = { frames = {}, held = 0, bytes = 0, last = -1, started = now, top = -1, seq = partial_seq }
    partials[sender] = p
    partial_count = partial_count + 1
  end
  if last then
    if (p.last ~= -1 and p.last ~= number) or p.top > number then
      return nil, reassembly_error(sender, string.format("frame %d marked last contradicts the frames held", number))
    end
    p.last = number
  elseif p.last ~= -1 and number >= p.last then
    return nil, reassembly_error(sender, string.format("frame %d after last frame %d", number, p.last))
  end
  local old = p.frames[number]
  local delta = payload:len() - (old and old.bytes:len() or 0)
  if p.bytes + delta > MAX_BYTES_PER_SENDER then
    return nil, reassembly_error(sender, string.format("more than %d octets held for one sender", MAX_BYTES_PER_SENDER))
  end
  if partial_bytes + delta > MAX_BYTES_TOTAL then
    return nil, reassembly_error(sender, string.format("more than %d octets held for all senders", MAX_BYTES_TOTAL))
  end
  p.frames[number] = { frame = frame_no, bytes = payload }
  p.bytes = p.bytes + delta
  partial_bytes = partial_bytes + delta
  if old == nil then p.held = p.held + 1 end
  if number > p.top then p.top = number end
  if p.last == -1 or p.held ~= p.last + 1 then return nil end
  local whole = ByteArray.new()
  local pieces = {}
  for i = 0, p.last do
    whole:append(p.frames[i].bytes)
    pieces[i + 1] = p.frames[i].frame
  end
  drop_partial(sender)
  return { bytes = whole, pieces = pieces }
end

local function hex32(n)
  return string.format("%08x", n)
end

-- Checks the frame header as lsoe's decodeFrame does: truncated, version, length, checksum.
local function check_header(tvb)
  local size = tvb:len()
  if size < HEADER_LENGTH then
    return { reason = "truncated", message = string.format("LSOE frame header: needs 8 octets, got %d", size), offset = size }
  end
  local version = tvb(0, 1):uint()
  if version ~= 0 then
    return { reason = "version", message = string.format("LSOE frame version: %d at offset 0, expected 0", version), offset = 0 }
  end
  local flen = tvb(2, 2):uint()
  if flen < HEADER_LENGTH or flen > size then
    local why = flen < HEADER_LENGTH and "below the 8-octet header" or string.format("beyond the %d octets received", size)
    return { reason = "length", message = string.format("LSOE frame length: %d at offset 2, %s", flen, why), offset = 2 }
  end
  local sent, computed = tvb(4, 4):uint(), lsoe_checksum(tvb, flen)
  if sent ~= computed then
    return { reason = "checksum", offset = 4, computed = computed,
      message = string.format("LSOE frame checksum: 0x%s at offset 4, computed 0x%s", hex32(sent), hex32(computed)) }
  end
  return nil
end

local function field_text(field)
  local fi = field()
  if fi == nil then return nil end
  return tostring(fi.range:bytes():tohex(true, ":"))
end

-- First pass only: what this frame is (error, single-frame PDU, piece, or the
-- piece completing a PDU), updating the reassembly state.
local function analyse_frame(tvb, pinfo)
  local res = { expired = {} }
  local now = pinfo.abs_ts
  expire(now, res.expired)
  res.error = check_header(tvb)
  if res.error then return res end
  local number, last = tvb(1, 1):bitfield(1, 7), tvb(1, 1):bitfield(0, 1) == 1
  if last and number == 0 then
    res.single = true
    return res
  end
  local src = field_text(eth_src_field) or tostring(pinfo.src)
  local sender = (ifname_field() and tostring(ifname_field().value) or "") .. src
  if number >= MAX_FRAMES then
    res.error = reassembly_error(sender, string.format("frame number %d beyond the %d-frame limit", number, MAX_FRAMES))
    return res
  end
  local flen = tvb(2, 2):uint()
  local payload = flen > HEADER_LENGTH and tvb(HEADER_LENGTH, flen - HEADER_LENGTH):bytes() or ByteArray.new()
  local done, err = reassemble(sender, number, last, payload, pinfo.number, now)
  res.piece = number
  if err then
    res.error = err
  elseif done then
    res.whole = done
    for _, n in ipairs(done.pieces) do
      if n ~= pinfo.number and results[n] then results[n].reassembled_in = pinfo.number end
    end
  end
  return res
end

---------------------------------------------------------------------------
-- The tree.

local function add_header(tvb, root, res)
  local size = tvb:len()
  if size < 1 then return end
  root:add(f.version, tvb(0, 1))
  if size < 2 then return end
  root:add(f.last, tvb(1, 1))
  root:add(f.number, tvb(1, 1))
  if size < 4 then return end
  root:add(f.frame_length, tvb(2, 2))
  if size < HEADER_LENGTH then return end
  local sum = root:add(f.checksum, tvb(4, 4))
  if res.error and res.error.reason == "checksum" then
    sum:add(f.checksum_computed, tvb(4, 4), res.error.computed):set_generated()
    sum:add(f.checksum_status, tvb(4, 4), CHECKSUM_BAD):set_generated()
  elseif not res.error or (res.error.reason ~= "version" and res.error.reason ~= "length") then
    sum:add(f.checksum_status, tvb(4, 4), CHECKSUM_GOOD):set_generated()
  end
end

local EXPERT_AT = { truncated = 0, version = 0, length = 2, checksum = 4 }
local EXPERT_LEN = { truncated = -1, version = 1, length = 2, checksum = 4 }

local function dissect(tvb, pinfo, tree)
  pinfo.cols.protocol = "LSOE"
  local size = tvb:len()
  local res = results[pinfo.number]
  if res == nil then
    res = analyse_frame(tvb, pinfo)
    if not pinfo.visited then results[pinfo.number] = res end
  end
  local flen = size
  if not res.error or res.error.reason == "checksum" or res.error.reason == "reassembly" then flen = tvb(2, 2):uint() end
  local root = tree:add(lsoe, tvb(0, flen))
  add_header(tvb, root, res)
  for _, message in ipairs(res.expired) do root:add_proto_expert_info(ex.reassembly, message) end

  local err = res.error
  if err and err.reason ~= "reassembly" then
    local at = EXPERT_AT[err.reason]
    local len = EXPERT_LEN[err.reason]
    if len < 0 then len = size - at end
    root:add_tvb_expert_info(ex[err.reason], tvb(at, len), err.message)
    if size > HEADER_LENGTH then root:add(f.payload, tvb(HEADER_LENGTH, flen - HEADER_LENGTH)) end
    pinfo.cols.info = string.format("BAD %s: %s", err.reason, err.message)
    return flen
  end

  local payload_tvb = tvb(HEADER_LENGTH, flen - HEADER_LENGTH)
  if err then
    root:add(f.payload, payload_tvb)
    root:add_proto_expert_info(ex.reassembly, err.message)
    pinfo.cols.info = "BAD reassembly: " .. err.message
    return flen
  end

  local pdu_tvb
  if res.single then
    pdu_tvb = payload_tvb:tvb()
  elseif res.whole then
    root:add(f.payload, payload_tvb)
    pdu_tvb = res.whole.bytes:tvb("Reassembled LSOE PDU")
    local pieces = root:add(f.fragments, payload_tvb):set_text(string.format("%d pieces (%d octets)", #res.whole.pieces, res.whole.bytes:len()))
    for _, n in ipairs(res.whole.pieces) do pieces:add(f.fragment, n) end
    pieces:add(f.fragment_count, #res.whole.pieces):set_generated()
    pieces:add(f.reassembled_length, res.whole.bytes:len()):set_generated()
  else
    root:add(f.payload, payload_tvb)
    if res.reassembled_in then root:add(f.reassembled_in, res.reassembled_in):set_generated() end
    root:add_proto_expert_info(ex.fragment, string.format("piece %d of a multi-frame PDU", res.piece))
    pinfo.cols.info = string.format("fragment %d of a PDU%s", res.piece,
      res.reassembled_in and string.format(" (reassembled in #%d)", res.reassembled_in) or "")
    return flen
  end

  local info, failure = dissect_pdu(pdu_tvb, root)
  if info then
    pinfo.cols.info = info
  else
    root:add_tvb_expert_info(ex.pdu, pdu_tvb(math.min(failure.offset, math.max(pdu_tvb:len() - 1, 0)), pdu_tvb:len() > 0 and 1 or 0), failure.message)
    pinfo.cols.info = "BAD pdu: " .. failure.message
  end
  return flen
end

function lsoe.dissector(tvb, pinfo, tree)
  local ok, consumed = pcall(dissect, tvb, pinfo, tree)
  if ok then return consumed end
  -- A bug here must not become a Lua error in the user's capture view.
  tree:add(lsoe, tvb()):add_proto_expert_info(ex.internal, "lsoe.lua: " .. tostring(consumed))
  return tvb:len()
end

local ethertypes = DissectorTable.get("ethertype")
ethertypes:add(LSOE_ETHERTYPE, lsoe)

local lsoed_registered = false
local function apply_prefs()
  if lsoe.prefs.lsoed_ethertype and not lsoed_registered then
    ethertypes:add(LSOED_ETHERTYPE, lsoe)
  elseif not lsoe.prefs.lsoed_ethertype and lsoed_registered then
    ethertypes:remove(LSOED_ETHERTYPE, lsoe)
  end
  lsoed_registered = lsoe.prefs.lsoed_ethertype
end
lsoe.prefs_changed = apply_prefs
apply_prefs()
