package web

import "strings"

// deviceName is what a person recognises a session or a passkey by: the
// browser and the system its User-Agent names ("Chrome · Android"), not
// the header itself.
func deviceName(userAgent string) string {
	browser, system := "", ""
	// Order matters: Edge and Opera also say Chrome, Chrome also says
	// Safari, and Android also says Linux.
	for _, b := range [...]struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"CocCoc", "Cốc Cốc"}, {"Zalo", "Zalo"},
		{"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Chromium/", "Chromium"}, {"Safari/", "Safari"},
		{"curl/", "curl"},
	} {
		if strings.Contains(userAgent, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range [...]struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(userAgent, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "" || system != "":
		return browser + system
	case userAgent == "":
		return "?"
	}
	if len(userAgent) > 40 {
		return strings.ToValidUTF8(userAgent[:40], "") + "…"
	}
	return userAgent
}
