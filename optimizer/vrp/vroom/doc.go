// Package vroom reads and writes the JSON problem and solution format of
// VROOM (Vehicle Routing Open-source Optimization Machine, docs/API.md of
// VROOM-Project/vroom, version 1.14), so that tools that already speak it
// can call Xunhui's engine (optimizer/vrp) unchanged.
//
// Solve is the single entry point used by the "xunhui vrp" command and the
// POST /api/v1/vrp handler: it decodes and validates the input, builds the
// engine problem (taking a matrix from Options.Matrix when only coordinates
// are given), solves, and encodes a VROOM-shaped answer. Its errors are
// *Error values carrying VROOM's status codes: 1 internal, 2 input, 3
// routing; ErrorOutput turns any error into the {"code", "error"} object
// VROOM prints.
//
// Supported: jobs (location or location_index, setup, service, delivery
// and pickup with VROOM's exact load profile, legacy amount, skills,
// priority, time_windows, description), vehicles (start/end or *_index,
// profile, speed_factor, capacity, skills, time_window, breaks, max_tasks,
// max_travel_time, max_distance, costs fixed/per_hour/per_km/per_task_hour,
// steps read as a warm start), matrices per profile (durations, distances,
// costs) and the legacy matrix key. Times follow VROOM's arithmetic:
// centiseconds inside, travel multiplied by round(100/speed_factor),
// reported times truncated to seconds. Rejected with a code-2 error naming
// the field: shipments (and shipment steps) and breaks with a binding
// max_load. See docs/vroom.md for the differences in detail.
package vroom
