package sqlstore

// DecodeCitizen and DecodeExamined are decodeCitizen and decodeExamined,
// for the tests that hold them to encoding/json.
var (
	DecodeCitizen  = decodeCitizen
	DecodeExamined = decodeExamined
)
