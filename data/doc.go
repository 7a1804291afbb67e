// Package data holds Xunhui's domain records, their validation, the error
// kinds and the Store contract. It imports only the standard library.
//
// Store overview (see store.go for the full contract; adapters: data/postgres,
// data/sqlite; contract tests: data/storetest; seed: data/seed):
//
//	health     Ping, Seeded, Close
//	geography  ListTownships, GetTownship, PutTownships, ListVillages, GetVillage,
//	           PutVillages, SetVillageLocations, ListServicePoints,
//	           GetServicePoint, PutServicePoints
//	catalogue  ListServiceItems, GetServiceItem, PutServiceItems
//	people     ListStaff, GetStaff, PutStaff, ListTeams, GetTeam, PutTeams,
//	           ListMarketCycles, PutMarketCycles, ListMarketExceptions,
//	           PutMarketExceptions, DeleteMarketException, MarketCalendar
//	bookings   CreateBooking, GetBooking, ListBookings, SetBookingStatus
//	requests   CreateRequest, ImportRequests, GetRequest, ListRequests,
//	           UpdateRequest (version check), TransitionRequest (status +
//	           history, version check), SetRequestPriority, RequestHistory,
//	           RequestIDsForTeam;
//	           RequestFilter.TownshipID / .TeamID scope coordinators / team members
//	plans      CreatePlan, GetPlan, ListPlans, ReplacePlan (drafts only),
//	           PublishPlan (supersedes + claims, one transaction), DeletePlan
//	           (drafts only), ListItineraries
//	calendar   CreateAbsence, ImportAbsences, GetAbsence, ListAbsences,
//	           CancelAbsence, ListClaims (person-days of published plans)
//	access     CreateUser, GetUser, ListUsers, UpdateUser, CreateToken,
//	           UserByTokenHash, ListTokens, DeleteToken (tokens: NewToken, HashToken)
//	cache/jobs GetMatrix, PutMatrix, DeleteMatrices, StartJobRun (records a
//	           (job, slot) run), FinishJobRun, AbandonJobRun, ListJobRuns,
//	           LastJobSlot, ListJobSchedules, PutJobSchedule, DeleteJobSchedule
//
// Wiring: sqlite.Open(ctx, path) and postgres.Open(ctx, url)
// return stores that also implement Migrator; sqlitetest.New(t) and
// pgtest.NewStore(t) / pgtest.NewDatabase(t) give migrated throwaway stores
// for tests; seed.Load(ctx, store, seed.Options{...}) loads the county data;
// cmd/xunhui's openStore(ctx, stderr) picks PostgreSQL when DATABASE_URL is set,
// else SQLite at $XUNHUI_DB (default ./xunhui.db).
//
// data.DryRun(ctx) makes any write check everything and then roll back.
//
// Errors are *Error{Op, Kind, Field, Message, Err}; use ErrorKind, ErrorField,
// ErrorMessage and RowErrors (bulk imports) to inspect them.
//
// Units: locations are WGS84 degrees (Point); dates are civil dates in Local
// (UTC+8) as YYYY-MM-DD (Date); times of day are minutes after local
// midnight; durations are minutes (service) or seconds (travel) as named.
// Ids of geographic units are the 12-digit NBS 2021 codes.
package data
