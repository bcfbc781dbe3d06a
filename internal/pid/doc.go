// Package pid handles Viet Nam's 12-digit personal identification number
// (số định danh cá nhân) and the legacy 9-digit identity-card numbers (CMND).
//
// A personal ID number is
//
//	PPP C YY SSSSSS
//
// where PPP is the place code of birth registration (the province code with a
// leading zero, from the code list in force when the number was issued, or a
// country code for births registered abroad), C the century/sex digit
// (1900s: male 0, female 1; 2000s: 2/3; 2100s: 4/5; 2200s: 6/7; 2300s: 8/9),
// YY the last two digits of the birth year and SSSSSS a serial. There is no
// check digit, so a number can only be validated against the person it
// belongs to: the place code in particular means nothing on its own, because
// country codes and the reused 2025 province codes share digits with other
// provinces' codes.
package pid
