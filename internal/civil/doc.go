// Package civil holds civil dates as Vietnam's registry uses them: a day, a
// month or only a year (older people often have no known day of birth), each
// standing for the interval of days it covers, in Asia/Ho_Chi_Minh.
//
// Domain code never calls time.Now: it is handed a Clock, so tests can pin
// the date and back-dated events can be exercised deterministically.
package civil
