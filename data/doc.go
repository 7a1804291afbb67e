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
//	           ListMarketCycles, PutMarketCycles
//	requests   CreateRequest, ImportRequests, GetRequest, ListRequests,
//	           UpdateRequest (version check), TransitionRequest (status +
//	           history, version check), RequestIDsForTeam (team scoping)
//	plans      CreatePlan, GetPlan, ListPlans, ReplacePlan, PublishPlan,
//	           DeletePlan, ListItineraries
//	access     CreateUser, GetUser, ListUsers, UpdateUser, CreateToken,
//	           UserByTokenHash, ListTokens, DeleteToken (tokens: NewToken, HashToken)
//	cache/jobs GetMatrix, PutMatrix, DeleteMatrices, StartJobRun, FinishJobRun,
//	           ListJobRuns
//
// Errors are *Error{Op, Kind, Field, Message, Err}; use ErrorKind, ErrorField,
// ErrorMessage and RowErrors (bulk imports) to inspect them.
//
// Units: locations are WGS84 degrees (Point); dates are civil dates in Local
// (UTC+8) as YYYY-MM-DD (Date); times of day are minutes after local
// midnight; durations are minutes (service) or seconds (travel) as named.
// Ids of geographic units are the 12-digit NBS 2021 codes.
package data
