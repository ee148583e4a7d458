package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/amendlib/amend/user"
)

// Library returns the target that runs cases through amend's library
// in-process: user.NewEnvironment, then the entry point the request names.
// It sees everything a case states, the change, ignored and unique lists
// included.
func Library() Target { return library{} }

type library struct{}

func (library) Run(_ context.Context, c *Case) (*Got, error) {
	cfg := c.Config
	if c.Now != "" {
		now, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			return nil, err
		}
		cfg.Clock = func() time.Time { return now }
	} else {
		cfg.Clock = func() time.Time { return time.Unix(0, 0).UTC() }
	}
	ids := newIDs(c.NewIDs)
	cfg.NewID = ids.next
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return nil, fmt.Errorf("the environment does not build: %v", err)
	}
	var res *user.Result
	r := c.Request
	actor := c.ActorData
	switch {
	case r.Operation != "":
		res, err = env.Apply(user.Operation(r.Operation), c.Stored, actor, r.Body)
	case r.Method == "DELETE":
		if err = env.Delete(c.Stored, actor); err == nil {
			return &Got{}, nil
		}
	case r.Method == "POST" && r.ContentType == ContentImport:
		res, err = env.Import(actor, r.Body)
	case r.Method == "POST":
		res, err = env.Create(actor, r.Body)
	case r.Method == "PUT":
		res, err = env.Put(c.Stored, actor, r.Body)
	case r.ContentType == ContentSCIMPatch:
		res, err = env.PatchSCIM(c.Stored, actor, r.Body)
	default:
		res, err = env.Patch(c.Stored, actor, r.Body)
	}
	if ids.err != nil && err == nil {
		return nil, ids.err
	}
	var ue *user.Error
	if errors.As(err, &ue) {
		return &Got{Error: ue}, nil
	}
	if err != nil {
		return nil, err
	}
	return &Got{Document: res.Document, Changes: &res.Changes, Ignored: &res.Ignored, Unique: &res.Unique}, nil
}

// idQueue hands out a case's newIds, in order.
type idQueue struct {
	mu  sync.Mutex
	ids []string
	err error
}

func newIDs(ids []string) *idQueue { return &idQueue{ids: ids} }

func (q *idQueue) next() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) == 0 {
		q.err = errors.New("the case creates a user but its newIds are used up")
		return "no-id-left"
	}
	id := q.ids[0]
	q.ids = q.ids[1:]
	return id
}
