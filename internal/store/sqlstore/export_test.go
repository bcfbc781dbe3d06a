package sqlstore

// DecodeCitizen is decodeCitizen, for the test that holds it to
// encoding/json.
var DecodeCitizen = decodeCitizen
