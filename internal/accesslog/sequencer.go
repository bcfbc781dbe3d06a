// The sequencer is the one writer of the tree: every second it folds the
// entries written since into the tree (numbering them), and signs a
// checkpoint of the new size with a key kept outside the database,
// written first outside the database, then into it. Several dancu
// processes may run one each: the store lets one fold at a time.

package accesslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// SequenceStore is what the sequencer needs of the database.
type SequenceStore interface {
	// Sequence folds up to max entries not yet in the tree into it, in one
	// transaction, and returns the tree as it then stands and how many
	// were folded. ErrSequencerBusy says another process is folding.
	Sequence(ctx context.Context, max int) (Tree, int, error)
	// SaveCheckpoint records a signed checkpoint in the database.
	SaveCheckpoint(ctx context.Context, c Checkpoint, signed []byte) error
}

// ErrSequencerBusy is returned by a SequenceStore when another process
// holds the sequencer's lock.
var ErrSequencerBusy = errors.New("accesslog: another process is sequencing")

// CheckpointLog keeps signed checkpoints outside the database.
type CheckpointLog interface {
	Append(c Checkpoint, signed []byte) error
	// Latest returns the last checkpoint appended, ok false when none.
	Latest() (c Checkpoint, ok bool, err error)
}

// Sequencer folds the log into its tree and signs checkpoints.
type Sequencer struct {
	Store   SequenceStore
	Outside CheckpointLog
	// Origin names the log in its checkpoints; SignerKey is the note
	// signer key (GenerateKey), kept outside the database.
	Origin    string
	SignerKey string
	Now       func() time.Time

	last *Checkpoint // the latest checkpoint this process knows was signed
}

// batch bounds the entries folded in one transaction.
const batch = 20_000

// Step folds every entry written so far and signs a checkpoint when the
// tree grew. It refuses to sign over a tree that contradicts the last
// checkpoint signed: entries were removed, or the tree state edited.
func (s *Sequencer) Step(ctx context.Context) error {
	var tree Tree
	for {
		t, n, err := s.Store.Sequence(ctx, batch)
		if errors.Is(err, ErrSequencerBusy) {
			return nil
		}
		if err != nil {
			return err
		}
		tree = t
		if n < batch {
			break
		}
	}
	if s.last == nil {
		c, ok, err := s.Outside.Latest()
		if err != nil {
			return err
		}
		if ok {
			s.last = &c
		}
	}
	root := tree.Root()
	if s.last != nil {
		switch {
		case tree.Size() < s.last.Size:
			return fmt.Errorf("accesslog: the tree in the database has %d entries, fewer than the %d of the last checkpoint signed: entries were removed; not signing (run dancu accesslog verify)", tree.Size(), s.last.Size)
		case tree.Size() == s.last.Size && !bytes.Equal(root[:], s.last.Root[:]):
			return fmt.Errorf("accesslog: the tree in the database differs from the last checkpoint signed at size %d; not signing (run dancu accesslog verify)", s.last.Size)
		case tree.Size() == s.last.Size:
			return nil // nothing new
		}
	} else if tree.Size() == 0 {
		return nil
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	c := Checkpoint{Origin: s.Origin, Size: tree.Size(), Root: root, Time: now()}
	signed, err := SignCheckpoint(c, s.SignerKey)
	if err != nil {
		return err
	}
	c.Time = c.Time.UTC().Truncate(time.Second)
	if err := s.Outside.Append(c, signed); err != nil {
		return err
	}
	s.last = &c
	return s.Store.SaveCheckpoint(ctx, c, signed)
}

// Run steps every interval until ctx ends.
func (s *Sequencer) Run(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Step(ctx); err != nil && onError != nil && ctx.Err() == nil {
				onError(err)
			}
		}
	}
}
